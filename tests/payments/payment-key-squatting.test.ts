import { describe, expect, it } from 'vitest';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { getOrderStatus } from '@/lib/payments/get-order-status';
import { recordWindowFailure } from '@/lib/payments/record-window-failure';
import { orderFacts } from '../helpers/ledger-counts';
import { usePaymentsHarness } from '../helpers/payments-harness';

const t = usePaymentsHarness();

const newOrder = () => createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });

describe('a paymentKey cannot be squatted (security issue, item 5)', () => {
  it("confirming order X with order Y's paymentKey binds nothing: Y's own confirm still pays Y, and X's pays X", async () => {
    const x = await newOrder();
    const y = await newOrder(); // same product: same amount, so only the key is foreign
    const xQuery = await t.psp.approve(x);
    const yQuery = await t.psp.approve(y);
    const before = t.psp.confirmCalls();
    await expect(confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse({ ...xQuery, paymentKey: yQuery.paymentKey })))
      .rejects.toMatchObject({ code: 'PAYMENT_KEY_MISMATCH' });
    expect(t.psp.confirmCalls()).toBe(before); // refused before any confirm
    const squatted = await orderFacts(t.db, x.orderId);
    expect(squatted.statuses).toEqual(['NOT_STARTED']);
    expect(squatted.attempts[0]!.pspPaymentKey).toBeNull();
    expect(squatted.history).toEqual(['CREATED', 'TAMPER_REJECTED']);

    expect((await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(yQuery))).status).toBe('PAID');
    expect((await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(xQuery))).status).toBe('PAID');
  });

  it('the public order view carries no paymentKey', async () => {
    const order = await newOrder();
    const query = await t.psp.approve(order);
    const confirmed = await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(query));
    const status = await getOrderStatus(t.db, order.orderId);
    expect(status.status).toBe('PAID');
    for (const view of [confirmed, status]) {
      expect(view.payment).not.toHaveProperty('paymentKey');
      expect(JSON.stringify(view)).not.toContain(query.paymentKey);
    }
  });

  it('a fail redirect for an order whose shopper has authenticated at the PSP does not end the attempt', async () => {
    const order = await newOrder();
    const query = await t.psp.approve(order); // authenticated: IN_PROGRESS at the PSP
    const forged = await recordWindowFailure(t.db, t.psp.client(), { orderId: order.orderId, code: 'PAY_PROCESS_CANCELED', message: 'forged' });
    expect(forged.status).toBe('AWAITING_PAYMENT');
    expect((await orderFacts(t.db, order.orderId)).statuses).toEqual(['NOT_STARTED']);
    expect((await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(query))).status).toBe('PAID');
    expect((await orderFacts(t.db, order.orderId)).statuses).toEqual(['SUCCESS']);
  });

  it('a fail redirect the PSP agrees with (no payment there) ends the attempt', async () => {
    const order = await newOrder();
    const failed = await recordWindowFailure(t.db, t.psp.client(), { orderId: order.orderId, code: 'PAY_PROCESS_CANCELED', message: 'cancelled' });
    expect(failed.status).toBe('PAYMENT_FAILED');
  });
});
