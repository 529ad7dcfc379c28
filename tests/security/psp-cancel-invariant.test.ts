import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { payments } from '@/db/schema';
import { listReconciliationItems } from '@/lib/dashboard/reconciliation-views';
import { newId } from '@/lib/ids';
import { checkInvariants } from '@/lib/invariants/check-invariants';
import { kstDateOf } from '@/lib/kst';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { processPspWebhook, recordPspWebhook } from '@/lib/psp-webhooks/receive-psp-webhook';
import { usePaymentsHarness } from '../helpers/payments-harness';

// This file creates the violation on purpose, so the harness's after-each check is off.
const t = usePaymentsHarness({ isolated: true, invariantsAfterEach: false });
const today = kstDateOf(new Date());

async function paidThenCancelledAtPsp() {
  const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
  const query = successRedirectSchema.parse(await t.psp.approve(order));
  const result = await confirmPayment(t.db, t.psp.client(), query);
  expect(result.status).toBe('PAID');
  // Someone with the PSP secret key cancels it at the PSP, not through our refunds.
  const cancelled = await t.psp.client().cancel(query.paymentKey, { cancelAmount: Number(query.amount), cancelReason: 'not through us', idempotencyKey: newId('rfd') });
  expect(cancelled.kind).toBe('ok');
  const [p] = await t.db.select().from(payments).where(eq(payments.orderId, order.orderId));
  expect(p!.status).toBe('SUCCESS');
  return { paymentKey: query.paymentKey, orderId: order.orderId, paymentId: p!.id };
}

const violationsOf = async (name: string) => (await checkInvariants(t.db, { merchantId: t.shop.merchantId })).find((r) => r.name === name);

describe('a payment cancelled at the PSP but SUCCESS in our ledger (issue 11 item 11)', () => {
  it('is a reconciliation mismatch the merchant sees, and an invariant violation', async () => {
    const { paymentId } = await paidThenCancelledAtPsp();
    expect((await violationsOf('psp-cancel-in-ledger'))?.violations ?? 0).toBe(0); // nothing known yet

    const run = await runReconciliation(t.db, t.psp.client(), { fromDate: today, toDate: today }, 'test');
    const seen = await listReconciliationItems(t.db, t.shop.merchantId, run.runId, { mismatchesOnly: true, page: 1 });
    const item = seen!.items.rows.find((i) => i.paymentId === paymentId);
    expect(item?.classification).toBe('STATUS_MISMATCH');
    expect(item?.detail).toMatch(/The PSP cancelled .* we have it as SUCCESS/);

    const v = await violationsOf('psp-cancel-in-ledger');
    expect(v?.violations).toBe(1);
    expect(JSON.stringify(v?.sample)).toContain(paymentId);
  });

  it('is a violation as soon as the PSP\'s webhook (re-fetched) says so, before any reconciliation', async () => {
    const before = (await violationsOf('psp-cancel-in-ledger'))?.violations ?? 0;
    const { paymentKey, orderId, paymentId } = await paidThenCancelledAtPsp();
    const transmissionId = newId('wh' as never);
    await recordPspWebhook(t.db, transmissionId, { eventType: 'PAYMENT_STATUS_CHANGED', createdAt: '2026-01-01T00:00:00.000000', data: { paymentKey, orderId, status: 'CANCELED' } } as never);
    await processPspWebhook(t.db, t.psp.client(), transmissionId);
    const v = await violationsOf('psp-cancel-in-ledger');
    expect(v?.violations).toBe(before + 1);
    expect(JSON.stringify(v?.sample)).toContain(paymentId);
  });
});
