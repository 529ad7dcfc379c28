import { reconReasonText } from '@/lib/i18n/words';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { payments, refunds } from '@/db/schema';
import { listReconciliationItems } from '@/lib/dashboard/reconciliation-views';
import { newId } from '@/lib/ids';
import { checkInvariants } from '@/lib/invariants/check-invariants';
import { kstDateOf } from '@/lib/kst';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { processPspWebhook, recordPspWebhook } from '@/lib/psp-webhooks/receive-psp-webhook';
import { retryRefundsJob } from '@/lib/recovery/jobs/retry-refunds';
import { defaultRecoveryPolicy } from '@/lib/recovery/recovery-policy';
import { requestRefund } from '@/lib/refunds/request-refund';
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
    expect(item?.reason).toMatchObject({ code: 'CANCELLED_AT_PSP', pspStatus: 'CANCELED', ourStatus: 'SUCCESS', ourAmount: 0, currency: 'KRW' });
    expect(item?.detail).toMatch(/^The PSP cancelled ₩[\d,]+ of this payment \(“Cancelled”\); we have it as “Approved” with ₩0 refunded\./);
    expect(reconReasonText('ko', item!.reason!)).toMatch(/^PG사가 이 결제에서 ₩[\d,]+을 취소했습니다\(“취소”\)\. 우리 쪽은 “승인”, 환불 ₩0입니다\./);

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

  // Found by the seeded simulator (seeds 200312 and 200363): reconciliation ran while our refund's
  // answer was lost, so the PSP had cancelled and we had not booked yet; the retry then booked it,
  // and the stale verdict still counted as a violation, though both sides now agree.
  it('is no violation once the refund the PSP made while its answer was lost is booked', async () => {
    const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
    const paid = await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(await t.psp.approve(order)));
    const paymentId = paid.payment!.id;
    t.psp.setDelay(300);
    const lost = await requestRefund(t.db, t.psp.client({ timeoutMs: 80 }), { merchantId: t.shop.merchantId, paymentId, idempotencyKey: newId('rfd'), request: { amount: 7_000, reason: 'lost answer' }, requestedBy: 'test' });
    expect(lost.refund.status).toBe('UNKNOWN');
    await new Promise((r) => setTimeout(r, 500)); // the PSP did cancel
    t.psp.setDelay(0);
    const run = await runReconciliation(t.db, t.psp.client(), { fromDate: today, toDate: today }, 'test');
    const seen = await listReconciliationItems(t.db, t.shop.merchantId, run.runId, { mismatchesOnly: true, page: 1 });
    expect(seen!.items.rows.find((i) => i.paymentId === paymentId)?.classification).toBe('STATUS_MISMATCH'); // cancelled there, not booked here yet
    await t.db.update(refunds).set({ nextAttemptAt: sql`now()` }).where(eq(refunds.id, lost.refund.id)); // past its backoff
    await retryRefundsJob.run({ db: t.db, psp: t.psp.client(), policy: { ...defaultRecoveryPolicy, graceMs: 0 }, log: pino({ level: 'silent' }) });
    const [p] = await t.db.select().from(payments).where(eq(payments.id, paymentId));
    expect(p!.refundedAmount).toBe(7_000n); // the PSP's 7,000 too: the two sides agree
    const v = (await checkInvariants(t.db, { merchantId: t.shop.merchantId, sample: 100 })).find((r) => r.name === 'psp-cancel-in-ledger');
    expect(JSON.stringify(v?.sample ?? [])).not.toContain(paymentId);
  });
});
