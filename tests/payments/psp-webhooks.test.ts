import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { payments, pspWebhookReceipts } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { sandboxDb } from '@/sandbox/db/client';
import { injectFault } from '@/sandbox/lib/faults';
import { processPspWebhook, pspWebhookSchema, recordPspWebhook, SETTLED_ON_RECEIPT } from '@/lib/psp-webhooks/receive-psp-webhook';
import { orderFacts } from '../helpers/ledger-counts';
import { usePaymentsHarness } from '../helpers/payments-harness';

const t = usePaymentsHarness();

const newOrder = () => createOrder(t.db, { items: [{ productId: t.shop.productIds[1], quantity: 2 }], checkoutKey: newId('cfm') });
const paymentOf = async (orderId: string) => (await t.db.select().from(payments).where(eq(payments.orderId, orderId)))[0]!;
const webhook = (paymentKey: string, orderId: string, status: string) =>
  pspWebhookSchema.parse({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: '2026-11-21T10:00:00.000000', data: { paymentKey, orderId, status, totalAmount: 1 } });

/** A payment the PSP approved while our confirm lost the answer: UNKNOWN on our side. */
async function lostAnswer() {
  const order = await newOrder();
  const query = successRedirectSchema.parse(await t.psp.approve(order));
  // The sandbox's fault API, not a client timeout: under load an 80 ms timeout could fire before
  // the sandbox had even read the request, which then never confirmed (the test failed on main).
  await injectFault(sandboxDb(t.db), `m${t.psp.secretKey.slice('test_sk_'.length).slice(0, 12)}`, { operation: 'confirm', mode: 'lose-response' });
  await confirmPayment(t.db, t.psp.client(), query);
  return { order, paymentKey: query.paymentKey };
}

describe('inbound PSP webhooks', () => {
  it('the same webhook delivered twice has one effect', async () => {
    const { order, paymentKey } = await lostAnswer();
    expect((await paymentOf(order.orderId)).status).toBe('UNKNOWN');
    const id = `whtrans_${newId('evt')}`;
    expect(await recordPspWebhook(t.db, id, webhook(paymentKey, order.orderId, 'DONE'))).toBe('stored');
    expect(await recordPspWebhook(t.db, id, webhook(paymentKey, order.orderId, 'DONE'))).toBe('duplicate');
    expect(await processPspWebhook(t.db, t.psp.client(), id)).toMatch(/finished by PSP status DONE/);
    expect(await processPspWebhook(t.db, t.psp.client(), id)).toBe('already-processed');
    // A second transmission of the same change (a PSP retry with a new id) finds it done.
    const retry = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, retry, webhook(paymentKey, order.orderId, 'DONE'));
    expect(await processPspWebhook(t.db, t.psp.client(), retry)).toMatch(/already agree/);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['SUCCESS']);
    expect(facts.journals).toHaveLength(1);
    expect(facts.events).toHaveLength(1);
  });

  it('a forged body that disagrees with the PSP changes nothing', async () => {
    const order = await newOrder();
    const query = successRedirectSchema.parse(await t.psp.approve(order));
    await confirmPayment(t.db, t.psp.client({ headers: { 'TossPayments-Test-Code': 'PROVIDER_ERROR' } }), query);
    const before = await paymentOf(order.orderId);
    expect(before.status).toBe('UNKNOWN'); // the PSP itself still has it IN_PROGRESS

    const forged = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, forged, webhook(query.paymentKey, order.orderId, 'DONE'));
    expect(await processPspWebhook(t.db, t.psp.client(), forged)).toMatch(/has not finished it/);
    const after = await paymentOf(order.orderId);
    expect(after.status).toBe('UNKNOWN');
    expect((await orderFacts(t.db, order.orderId)).journals).toHaveLength(0);

    const unknownKey = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, unknownKey, webhook('tsbx_does_not_exist', order.orderId, 'DONE'));
    expect(await processPspWebhook(t.db, t.psp.client(), unknownKey)).toMatch(/does not know/);
  });

  it('a webhook that claims what we hold is settled as it is stored; any other claim waits for a lookup', async () => {
    const order = await newOrder();
    const query = successRedirectSchema.parse(await t.psp.approve(order));
    expect((await confirmPayment(t.db, t.psp.client(), query)).status).toBe('PAID');
    const lookup = await t.psp.client().getPayment(query.paymentKey);
    if (lookup.kind !== 'ok') throw new Error('lookup failed');
    const asSent = (data: object) => pspWebhookSchema.parse({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: '2026-12-06T10:00:00.000000', data });
    const receiptOf = async (id: string) => (await t.db.select().from(pspWebhookReceipts).where(eq(pspWebhookReceipts.transmissionId, id)))[0]!;

    const approval = `whtrans_${newId('evt')}`;
    expect(await recordPspWebhook(t.db, approval, asSent(lookup.value))).toBe('settled');
    expect(await recordPspWebhook(t.db, approval, asSent(lookup.value))).toBe('duplicate');
    expect(await receiptOf(approval)).toMatchObject({ outcome: SETTLED_ON_RECEIPT });
    expect((await receiptOf(approval)).processedAt).not.toBeNull();

    // Claims we do not hold: each is looked up, none is settled on its word.
    const claims = {
      cancelled: { ...lookup.value, status: 'CANCELED', balanceAmount: 0 },
      'partly refunded': { ...lookup.value, balanceAmount: lookup.value.totalAmount - 1 },
      'no amounts': { paymentKey: query.paymentKey, orderId: order.orderId, status: 'DONE' },
      'another payment': { ...lookup.value, paymentKey: 'tsbx_not_ours' },
    };
    for (const [name, data] of Object.entries(claims)) {
      const id = `whtrans_${newId('evt')}`;
      expect([name, await recordPspWebhook(t.db, id, asSent(data))]).toEqual([name, 'stored']);
      expect((await receiptOf(id)).processedAt).toBeNull();
    }
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['SUCCESS']);
    expect(facts.journals).toHaveLength(1);
  });
});
