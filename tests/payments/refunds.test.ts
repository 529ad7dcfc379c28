import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { payments, refunds } from '@/db/schema';
import { newId } from '@/lib/ids';
import { accountBalances, trialBalance } from '@/lib/ledger/balances';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import pino from 'pino';
import { retryRefundsJob } from '@/lib/recovery/jobs/retry-refunds';
import { defaultRecoveryPolicy } from '@/lib/recovery/recovery-policy';
import { requestRefund } from '@/lib/refunds/request-refund';
import { orderFacts } from '../helpers/ledger-counts';
import { usePaymentsHarness } from '../helpers/payments-harness';

const t = usePaymentsHarness();

/** A paid order of 2 × 15,000 = 30,000 won. */
async function paidPayment() {
  const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 2 }], checkoutKey: newId('cfm') });
  const result = await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(await t.psp.approve(order)));
  expect(result.status).toBe('PAID');
  return { order, paymentId: result.payment!.id };
}
const refund = (paymentId: string, amount: number | undefined, key = newId('rfd')) =>
  requestRefund(t.db, t.psp.client(), { merchantId: t.shop.merchantId, paymentId, idempotencyKey: key, request: { amount, reason: 'customer asked' }, requestedBy: 'test' });

describe('refunds', () => {
  it('partial then full refund: states, reversing journals and events', async () => {
    const { order, paymentId } = await paidPayment();
    const first = await refund(paymentId, 10_000);
    expect(first.refund.status).toBe('SUCCEEDED');
    expect((await t.db.select().from(payments).where(eq(payments.id, paymentId)))[0]!.status).toBe('PARTIALLY_REFUNDED');
    const rest = await refund(paymentId, undefined); // the remaining 20,000
    expect(rest.refund.amount).toBe(20_000);
    const [p] = await t.db.select().from(payments).where(eq(payments.id, paymentId));
    expect(p!.status).toBe('REFUNDED');
    expect(p!.refundedAmount).toBe(30_000n);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals.map((j) => j.kind).sort()).toEqual(['PAYMENT_APPROVAL', 'REFUND', 'REFUND']);
    expect(facts.events.map((e) => e.eventType).sort()).toEqual(['PaymentApproved', 'PaymentRefunded', 'PaymentRefunded']);
    await expect(refund(paymentId, 1)).rejects.toMatchObject({ code: 'NOT_REFUNDABLE' });
  });

  it('two concurrent partial refunds that together exceed the payment: one succeeds, one gets a clear 4xx', async () => {
    const { paymentId } = await paidPayment();
    const results = await Promise.allSettled([refund(paymentId, 20_000), refund(paymentId, 20_000)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ code: 'REFUND_EXCEEDS_REMAINING', status: 422 });
    expect(String(refused[0]!.reason.message)).toMatch(/more than the 10000 KRW left/);
    const [p] = await t.db.select().from(payments).where(eq(payments.id, paymentId));
    expect(p!.refundedAmount).toBe(20_000n);
    expect(trialBalance(await accountBalances(t.db, t.shop.merchantId)).get('KRW')).toBe(0n);
  });

  it('the same Idempotency-Key returns the same refund and refunds once; another payment with it is refused', async () => {
    const { paymentId } = await paidPayment();
    const key = newId('rfd');
    const [a, b] = await Promise.all([refund(paymentId, 5_000, key), refund(paymentId, 5_000, key)]);
    expect(a.refund.id).toBe(b.refund.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const rows = await t.db.select().from(refunds).where(eq(refunds.paymentId, paymentId));
    expect(rows).toHaveLength(1);
    const other = await paidPayment();
    await expect(refund(other.paymentId, 5_000, key)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('a refund whose answer is lost is retried with the same key and booked once', async () => {
    const { paymentId } = await paidPayment();
    t.psp.setDelay(300);
    const lost = await requestRefund(t.db, t.psp.client({ timeoutMs: 80 }), { merchantId: t.shop.merchantId, paymentId, idempotencyKey: newId('rfd'), request: { amount: 7_000, reason: 'lost answer' }, requestedBy: 'test' });
    expect(lost.refund.status).toBe('UNKNOWN');
    await new Promise((r) => setTimeout(r, 500)); // the PSP did cancel
    t.psp.setDelay(0);
    await expect(refund(paymentId, 23_001)).rejects.toMatchObject({ code: 'REFUND_EXCEEDS_REMAINING' }); // still reserved
    await t.db.update(refunds).set({ nextAttemptAt: sql`now()` }).where(eq(refunds.id, lost.refund.id)); // past its backoff
    await retryRefundsJob.run({ db: t.db, psp: t.psp.client(), policy: { ...defaultRecoveryPolicy, graceMs: 0 }, log: pino({ level: 'silent' }) });
    const [r] = await t.db.select().from(refunds).where(eq(refunds.id, lost.refund.id));
    expect(r!.status).toBe('SUCCEEDED');
    const [p] = await t.db.select().from(payments).where(eq(payments.id, paymentId));
    expect(p!.refundedAmount).toBe(7_000n);
    const lookup = await t.psp.client().getPayment(p!.pspPaymentKey!);
    expect(lookup.kind === 'ok' && lookup.value.balanceAmount).toBe(23_000); // cancelled once at the PSP too
  });

  it('refunds only paid payments of the merchant itself', async () => {
    const { paymentId } = await paidPayment();
    await expect(requestRefund(t.db, t.psp.client(), { merchantId: 'mer_other', paymentId, idempotencyKey: newId('rfd'), request: { amount: 1, reason: 'x' }, requestedBy: 'test' }))
      .rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
