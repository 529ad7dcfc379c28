import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { payments, pspWebhookReceipts, refunds } from '@/db/schema';
import { newId } from '@/lib/ids';
import { checkInvariants } from '@/lib/invariants/check-invariants';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { sandboxDb } from '@/sandbox/db/client';
import { injectFault } from '@/sandbox/lib/faults';
import { processPspWebhook, pspWebhookSchema, recordPspWebhook } from '@/lib/psp-webhooks/receive-psp-webhook';
import type { TossClient } from '@/lib/psp/toss-client';
import { expireAttemptsJob } from '@/lib/recovery/jobs/expire-attempts';
import { retryRefundsJob } from '@/lib/recovery/jobs/retry-refunds';
import { defaultRecoveryPolicy } from '@/lib/recovery/recovery-policy';
import { recoveryTick } from '@/lib/recovery/recovery-loop';
import { requestRefund } from '@/lib/refunds/request-refund';
import { createShop } from '../helpers/fixtures';
import { usePaymentsHarness } from '../helpers/payments-harness';

/**
 * The three holes the seeded simulator found in recovery and webhook processing (issue 12,
 * item 1), each replayed deterministically. A recovery pass scans every payment, so the file has
 * a database of its own; assertions look only at the rows each test made.
 */
const t = usePaymentsHarness({ isolated: true });
const log = pino({ level: 'silent' });
const policy = { ...defaultRecoveryPolicy, graceMs: 30_000 };

afterEach(() => {
  vi.useRealTimers();
});

const newOrder = () => createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 2 }], checkoutKey: newId('cfm') });
const paymentOf = async (orderId: string) => (await t.db.select().from(payments).where(eq(payments.orderId, orderId)))[0]!;

/** A paid order of 2 × 15,000 = 30,000 won. */
async function paidPayment() {
  const order = await newOrder();
  const result = await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(await t.psp.approve(order)));
  expect(result.status).toBe('PAID');
  return { order, payment: await paymentOf(order.orderId) };
}

/** The sandbox carries out the next call of `operation` but drops its answer (its fault API). */
const loseNextAnswer = (operation: 'confirm' | 'cancel') =>
  injectFault(sandboxDb(t.db), `m${t.psp.secretKey.slice('test_sk_'.length).slice(0, 12)}`, { operation, mode: 'lose-response' });

/** A payment the PSP approved whose confirm answer we never got: UNKNOWN on our side, DONE at the PSP. */
async function unknownPayment() {
  const order = await newOrder();
  const query = successRedirectSchema.parse(await t.psp.approve(order));
  await loseNextAnswer('confirm');
  await confirmPayment(t.db, t.psp.client(), query);
  const p = await paymentOf(order.orderId);
  expect(p.status).toBe('UNKNOWN');
  return p;
}

/** A refund the PSP carried out whose answer we lost: UNKNOWN, still reserved. */
async function lostRefund(paymentId: string, amount: number) {
  await loseNextAnswer('cancel');
  const lost = await requestRefund(t.db, t.psp.client(), { merchantId: t.shop.merchantId, paymentId, idempotencyKey: newId('rfd'), request: { amount, reason: 'lost answer' }, requestedBy: 'test' });
  expect(lost.refund.status).toBe('UNKNOWN');
  return lost.refund.id;
}

/** Runs `fn` with this process's clock (Date only; timers stay real) moved by `skewMs`. */
async function withWorkerClockSkewed<T>(skewMs: number, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + skewMs });
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

describe('webhook processing compares against one consistent snapshot', () => {
  it('a refund that finishes between the PSP lookup and our reads does not flag a correct payment', async () => {
    const { order, payment } = await paidPayment();
    const id = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, id, pspWebhookSchema.parse({ eventType: 'CANCEL_STATUS_CHANGED', data: { paymentKey: payment.pspPaymentKey, orderId: order.orderId, status: 'DONE' } }));
    const real = t.psp.client();
    // The interleaving the simulator found: the PSP answers "nothing refunded", then a full
    // refund runs to the end (PSP and our books) before the webhook reads our side.
    const racing: TossClient = {
      ...real,
      async getPayment(paymentKey) {
        const lookup = await real.getPayment(paymentKey);
        const done = await requestRefund(t.db, real, { merchantId: t.shop.merchantId, paymentId: payment.id, idempotencyKey: newId('rfd'), request: { reason: 'racing the webhook' }, requestedBy: 'test' });
        expect(done.refund.status).toBe('SUCCEEDED');
        return lookup;
      },
    };
    const outcome = await processPspWebhook(t.db, racing, id);
    expect(outcome).not.toMatch(/flagged/);
    const after = await paymentOf(order.orderId);
    expect(after.status).toBe('REFUNDED');
    expect(after.needsAttention).toBeNull();
  });

  it('a real disagreement is still flagged (the PSP refunded what we never asked for)', async () => {
    // A shop of its own: the disagreement it leaves is a standing violation of the invariant
    // psp-cancel-in-ledger, which must not count against the harness's shop in the other tests.
    const other = await createShop(t.db);
    const order = await createOrder(t.db, { items: [{ productId: other.productIds[0], quantity: 2 }], checkoutKey: newId('cfm') });
    expect((await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(await t.psp.approve(order)))).status).toBe('PAID');
    const payment = await paymentOf(order.orderId);
    const cancelled = await t.psp.client().cancel(payment.pspPaymentKey!, { cancelAmount: 5_000, cancelReason: 'outside our system', idempotencyKey: newId('rfd') });
    expect(cancelled.kind).toBe('ok');
    const id = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, id, pspWebhookSchema.parse({ eventType: 'CANCEL_STATUS_CHANGED', data: { paymentKey: payment.pspPaymentKey, orderId: order.orderId, status: 'PARTIAL_CANCELED' } }));
    expect(await processPspWebhook(t.db, t.psp.client(), id)).toMatch(/flagged/);
    expect((await paymentOf(order.orderId)).needsAttention).toMatch(/PARTIAL_CANCELED/);
    const [cancelInLedger] = (await checkInvariants(t.db, { merchantId: other.merchantId })).filter((r) => r.name === 'psp-cancel-in-ledger');
    expect(cancelInLedger?.violations).toBe(1);
  });
});

describe('recovery takes one clock: the database\'s', () => {
  it('a worker whose clock runs 31 minutes ahead expires no young attempt and leaves a fresh confirm and webhook alone', async () => {
    const young = await newOrder();
    const fresh = await unknownPayment(); // updated a moment ago: its confirm may still be running
    const id = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, id, pspWebhookSchema.parse({ eventType: 'PAYMENT_STATUS_CHANGED', data: { paymentKey: fresh.pspPaymentKey, orderId: fresh.orderId, status: 'DONE' } }));
    await withWorkerClockSkewed(31 * 60_000, () => recoveryTick(t.db, t.psp.client(), policy, log));
    expect((await paymentOf(young.orderId)).status).toBe('NOT_STARTED');
    const stillFresh = await paymentOf(fresh.orderId);
    expect(stillFresh.status).toBe('UNKNOWN');
    expect(stillFresh.recoveryAttempts).toBe(0);
    const [receipt] = await t.db.select().from(pspWebhookReceipts).where(eq(pspWebhookReceipts.transmissionId, id));
    expect(receipt!.processedAt).toBeNull(); // the receiver's own processing gets its 10 s first
  });

  it('a worker whose clock runs an hour behind still finishes what the database says is due', async () => {
    const stuck = await unknownPayment();
    const { payment: paid } = await paidPayment();
    const refundId = await lostRefund(paid.id, 4_000);
    const quiet = await unknownPayment();
    const id = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, id, pspWebhookSchema.parse({ eventType: 'PAYMENT_STATUS_CHANGED', data: { paymentKey: quiet.pspPaymentKey, orderId: quiet.orderId, status: 'DONE' } }));
    // A minute ago by the database's clock: past the 30 s grace and the 10 s receipt age.
    await t.db.update(payments).set({ updatedAt: sql`now() - interval '1 minute'` }).where(eq(payments.id, stuck.id));
    await t.db.update(refunds).set({ updatedAt: sql`now() - interval '1 minute'`, nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(refunds.id, refundId));
    await t.db.update(pspWebhookReceipts).set({ receivedAt: sql`now() - interval '1 minute'` }).where(eq(pspWebhookReceipts.transmissionId, id));

    await withWorkerClockSkewed(-60 * 60_000, () => recoveryTick(t.db, t.psp.client(), policy, log));
    expect((await paymentOf(stuck.orderId)).status).toBe('SUCCESS');
    const [r] = await t.db.select().from(refunds).where(eq(refunds.id, refundId));
    expect(r!.status).toBe('SUCCEEDED');
    const [receipt] = await t.db.select().from(pspWebhookReceipts).where(eq(pspWebhookReceipts.transmissionId, id));
    expect(receipt!.outcome).toMatch(/finished by PSP status DONE/);
    expect((await paymentOf(quiet.orderId)).status).toBe('SUCCESS');
  });
});

describe('one bad item does not starve the rest of a recovery pass', () => {
  it('a refund retry that throws leaves the other refunds, the expiry and the stored webhooks to run', async () => {
    const a = await paidPayment();
    const b = await paidPayment();
    const badRefund = await lostRefund(a.payment.id, 3_000);
    const goodRefund = await lostRefund(b.payment.id, 3_000);
    await t.db.update(refunds).set({ updatedAt: sql`now() - interval '1 minute'`, nextAttemptAt: sql`now() - interval '1 second'` }).where(sql`${refunds.id} in (${badRefund}, ${goodRefund})`);
    const stale = await newOrder();
    await t.db.update(payments).set({ createdAt: sql`now() - interval '31 minutes'` }).where(eq(payments.orderId, stale.orderId));
    const pending = await unknownPayment();
    const id = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, id, pspWebhookSchema.parse({ eventType: 'PAYMENT_STATUS_CHANGED', data: { paymentKey: pending.pspPaymentKey, orderId: pending.orderId, status: 'DONE' } }));
    await t.db.update(pspWebhookReceipts).set({ receivedAt: sql`now() - interval '1 minute'` }).where(eq(pspWebhookReceipts.transmissionId, id));

    const real = t.psp.client();
    const buggy: TossClient = {
      ...real,
      async cancel(paymentKey, req) {
        if (paymentKey === a.payment.pspPaymentKey) throw new Error('a bug in the client for this one payment');
        return real.cancel(paymentKey, req);
      },
    };
    const result = await recoveryTick(t.db, buggy, policy, log);
    const [good] = await t.db.select().from(refunds).where(eq(refunds.id, goodRefund));
    expect(good!.status).toBe('SUCCEEDED');
    const [bad] = await t.db.select().from(refunds).where(eq(refunds.id, badRefund));
    expect(bad!.status).toBe('UNKNOWN'); // left for the next pass
    expect((await paymentOf(stale.orderId)).status).toBe('FAILURE');
    expect((await paymentOf(pending.orderId)).status).toBe('SUCCESS');
    expect(result.failed).toBeGreaterThanOrEqual(1);
  });

  it('a job that throws as a whole is logged and counted, and the jobs after it still run', async () => {
    const stale = await newOrder();
    await t.db.update(payments).set({ createdAt: sql`now() - interval '31 minutes'` }).where(eq(payments.orderId, stale.orderId));
    const broken = { name: 'broken', run: () => Promise.reject(new Error('its query failed')) };
    const result = await recoveryTick(t.db, t.psp.client(), policy, log, { jobs: [broken, expireAttemptsJob] });
    expect(result.jobs.broken).toEqual({ outcomes: {}, failed: 1 });
    expect(result.jobs.expiry!.outcomes.expired).toBeGreaterThanOrEqual(1);
    expect((await paymentOf(stale.orderId)).status).toBe('FAILURE');
  });
});

describe('refund retries follow the recovery policy', () => {
  it('back off by the policy, flag the payment at the retry cap, and still finish when the PSP answers', async () => {
    const { payment } = await paidPayment();
    const refundId = await lostRefund(payment.id, 2_000); // attempt 1 lost its answer
    const due = () => t.db.update(refunds).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(refunds.id, refundId));
    const slow = { ...policy, graceMs: 0, baseDelayMs: 60_000, maxAttempts: 3 };
    const down = t.psp.client({ headers: { 'TossPayments-Test-Code': 'FAILED_INTERNAL_SYSTEM_PROCESSING' } });
    const ctx = { db: t.db, psp: down, policy: slow, log };
    const mine = async () => (await t.db.select().from(refunds).where(eq(refunds.id, refundId)))[0]!;

    await due();
    await retryRefundsJob.run(ctx);
    const second = await mine();
    expect(second.attempts).toBe(2);
    const [{ waitS }] = (await t.db.execute(sql`select extract(epoch from ${second.nextAttemptAt!.toISOString()}::timestamptz - now())::float8 as "waitS"`)) as unknown as [{ waitS: number }];
    expect(waitS).toBeGreaterThan(100); // base × 2^(2−1) = 120 s, not the old fixed 30 s
    expect(waitS).toBeLessThanOrEqual(120);
    expect((await paymentOf(payment.orderId)).needsAttention).toBeNull();

    await due();
    await retryRefundsJob.run(ctx);
    expect((await mine()).attempts).toBe(3);
    expect((await paymentOf(payment.orderId)).needsAttention).toMatch(new RegExp(`refund ${refundId} has no known outcome after 3 tries`));

    await due();
    await retryRefundsJob.run({ ...ctx, psp: t.psp.client() });
    expect((await mine()).status).toBe('SUCCEEDED');
    expect((await paymentOf(payment.orderId)).refundedAmount).toBe(2_000n);
  });
});
