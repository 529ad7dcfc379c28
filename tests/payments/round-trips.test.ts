import { inject, describe, expect, it } from 'vitest';
import { connect } from '@/db/client';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { getOrderStatus } from '@/lib/payments/get-order-status';
import { recordPspWebhook, pspWebhookSchema } from '@/lib/psp-webhooks/receive-psp-webhook';
import { requestPayment } from '@/lib/payments/request-payment';
import { usePaymentsHarness } from '../helpers/payments-harness';

const t = usePaymentsHarness();

/**
 * The pay path's cost is mostly its round trips to PostgreSQL (issue: one round trip per state
 * change). This counts every statement the merchant side sends for one payment, step by step,
 * so a new query on the path fails here instead of silently costing every payment.
 */
describe('round trips per payment', () => {
  it('checkout 1, payment request 1, confirm 3 (read, start, approve), order status 1', async () => {
    const sent: string[] = [];
    const counted = connect(inject('databaseUrl'), { max: 2, appName: 'won-checkout-test', onQuery: (q) => sent.push(q) });
    try {
      const pay = async () => {
        const steps: Record<string, number> = {};
        const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
          const before = sent.length;
          const out = await run();
          steps[name] = sent.length - before;
          return out;
        };
        const order = await step('checkout', () => createOrder(counted.db, { items: [{ productId: t.shop.productIds[0], quantity: 2 }], checkoutKey: newId('cfm') }));
        await step('payment request', () => requestPayment(counted.db, order.orderId));
        const query = successRedirectSchema.parse(await t.psp.approve(order));
        const confirmed = await step('confirm', () => confirmPayment(counted.db, t.psp.client(), query));
        const status = await step('order status', () => getOrderStatus(counted.db, order.orderId));
        expect(confirmed.status).toBe('PAID');
        expect(status.status).toBe('PAID');
        return steps;
      };
      await pay(); // the shop's first approval also opens its ledger accounts (once per currency)
      const sentBefore = sent.length;
      const steps = await pay();
      expect(steps).toEqual({ checkout: 1, 'payment request': 1, confirm: 3, 'order status': 1 });
      expect(sent.length - sentBefore).toBeLessThanOrEqual(8);
    } finally {
      await counted.close();
    }
  });

  it("the PSP's webhook for an approval we booked: one round trip, and no lookup at the PSP", async () => {
    const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
    const query = successRedirectSchema.parse(await t.psp.approve(order));
    expect((await confirmPayment(t.db, t.psp.client(), query)).status).toBe('PAID');
    // The body Toss sends is the Payment object, as a lookup returns it.
    const lookup = await t.psp.client().getPayment(query.paymentKey);
    if (lookup.kind !== 'ok') throw new Error('lookup failed');
    const body = pspWebhookSchema.parse({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: '2026-12-06T10:00:00.000000', data: lookup.value });
    const sent: string[] = [];
    const counted = connect(inject('databaseUrl'), { max: 1, appName: 'won-checkout-test', onQuery: (q) => sent.push(q) });
    try {
      await counted.sql`select 1`; // a new connection first fetches the array types (once)
      const before = sent.length;
      expect(await recordPspWebhook(counted.db, `whtrans_${newId('evt')}`, body)).toBe('settled');
      expect(sent.length - before).toBe(1);
    } finally {
      await counted.close();
    }
  });
});
