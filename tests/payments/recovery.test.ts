import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { payments } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { getOrderStatus } from '@/lib/payments/get-order-status';
import { sandboxDb } from '@/sandbox/db/client';
import { injectFault } from '@/sandbox/lib/faults';
import { claimDuePayments, recoverPayment } from '@/lib/recovery/recover-payment';
import { expireAttemptsJob } from '@/lib/recovery/jobs/expire-attempts';
import { defaultRecoveryPolicy } from '@/lib/recovery/recovery-policy';
import { recoveryTick } from '@/lib/recovery/recovery-loop';
import { createIsolatedDatabase } from '../helpers/db';
import { createShop } from '../helpers/fixtures';
import { expectInvariantsHold } from '../helpers/invariants';
import { orderFacts } from '../helpers/ledger-counts';
import { usePaymentsHarness } from '../helpers/payments-harness';
import { startSandbox } from '../helpers/psp';

const t = usePaymentsHarness();

const policy = { ...defaultRecoveryPolicy, graceMs: 0, baseDelayMs: 10, maxAttempts: 3 };
const log = pino({ level: 'silent' });

const newOrder = () => createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
const paymentOf = async (orderId: string) => (await t.db.select().from(payments).where(eq(payments.orderId, orderId)))[0]!;

describe('recovery: no payment stays unfinished', () => {
  it('confirm succeeds at the PSP but the answer is lost → recovery makes it SUCCESS with one journal, and the status page turns paid', async () => {
    const order = await newOrder();
    const query = successRedirectSchema.parse(await t.psp.approve(order));
    // The sandbox approves it and drops the answer (its fault API; a client timeout could fire
    // under load before the sandbox even read the request, and then nothing was approved).
    await injectFault(sandboxDb(t.db), `m${t.psp.secretKey.slice('test_sk_'.length).slice(0, 12)}`, { operation: 'confirm', mode: 'lose-response' });
    const first = await confirmPayment(t.db, t.psp.client(), query);
    expect(first.status).toBe('CONFIRMING');
    expect((await paymentOf(order.orderId)).status).toBe('UNKNOWN');

    const before = t.psp.confirmCalls();
    const outcome = await recoverPayment(t.db, t.psp.client(), await paymentOf(order.orderId), policy);
    expect(outcome).toBe('finished');
    expect(t.psp.confirmCalls()).toBe(before); // the lookup said DONE: no second confirm
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['SUCCESS']);
    expect(facts.journals).toHaveLength(1);
    expect(facts.events.map((e) => e.eventType)).toEqual(['PaymentApproved']);
    expect(facts.history).toContain('APPROVED');
    expect((await getOrderStatus(t.db, order.orderId)).status).toBe('PAID');
  });

  it('a 5xx before the PSP did anything → recovery confirms again with the same key and succeeds', async () => {
    const order = await newOrder();
    const query = successRedirectSchema.parse(await t.psp.approve(order));
    await confirmPayment(t.db, t.psp.client({ headers: { 'TossPayments-Test-Code': 'FAILED_INTERNAL_SYSTEM_PROCESSING' } }), query);
    const stuck = await paymentOf(order.orderId);
    expect(stuck.status).toBe('UNKNOWN');
    expect(await recoverPayment(t.db, t.psp.client(), stuck, policy)).toBe('finished');
    const after = await paymentOf(order.orderId);
    expect(after.status).toBe('SUCCESS');
    expect(after.confirmIdempotencyKey).toBe(stuck.confirmIdempotencyKey);
    expect((await orderFacts(t.db, order.orderId)).journals).toHaveLength(1);
  });

  it('claims each due payment once, backs off, and flags it for a person after the retry cap', async () => {
    const order = await newOrder();
    const query = successRedirectSchema.parse(await t.psp.approve(order));
    await confirmPayment(t.db, t.psp.client({ headers: { 'TossPayments-Test-Code': 'FAILED_INTERNAL_SYSTEM_PROCESSING' } }), query);
    const broken = t.psp.client({ headers: { 'TossPayments-Test-Code': 'FAILED_INTERNAL_SYSTEM_PROCESSING' }, everyRequest: true }); // the PSP stays down
    const now = new Date();
    // A backoff longer than the test, so a second claim after the first commits is not due yet.
    const patient = { ...policy, baseDelayMs: 60_000 };
    const [a, b] = await Promise.all([claimDuePayments(t.db, patient, 1_000), claimDuePayments(t.db, patient, 1_000)]);
    const mine = [...a!, ...b!].filter((p) => p.orderId === order.orderId);
    expect(mine).toHaveLength(1); // SKIP LOCKED: two workers never take the same payment
    expect(mine[0]!.nextRecoveryAt!.getTime()).toBeGreaterThan(now.getTime());
    let outcome = await recoverPayment(t.db, broken, mine[0]!, policy);
    for (let i = 0; i < policy.maxAttempts && outcome === 'retry-later'; i++) {
      await t.db.update(payments).set({ recoveryAttempts: i + 2 }).where(eq(payments.id, mine[0]!.id));
      outcome = await recoverPayment(t.db, broken, await paymentOf(order.orderId), policy);
    }
    expect(outcome).toBe('needs-attention');
    const flagged = await paymentOf(order.orderId);
    expect(flagged.needsAttention).toMatch(/gave up/);
    expect((await orderFacts(t.db, order.orderId)).history).toContain('NEEDS_ATTENTION');
    expect((await claimDuePayments(t.db, policy, 1_000)).some((p) => p.id === flagged.id)).toBe(false);
  });

  it('attempts never authenticated expire after the window and end FAILURE with an event', async () => {
    const order = await newOrder();
    // Age this attempt past the window (moving the clock instead would expire other files' orders).
    await t.db.update(payments).set({ createdAt: sql`now() - interval '31 minutes'` }).where(eq(payments.orderId, order.orderId));
    const report = await expireAttemptsJob.run({ db: t.db, psp: t.psp.client(), policy: { ...policy, windowExpiryMs: 30 * 60_000 }, log });
    expect(report.outcomes.expired).toBeGreaterThanOrEqual(1);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['FAILURE']);
    expect(facts.attempts[0]!.failureCode).toBe('PAYMENT_WINDOW_EXPIRED');
    expect(facts.events.map((e) => e.eventType)).toEqual(['PaymentFailed']);
  });

  it('a recovery pass finishes what it finds (the worker loop)', async () => {
    // The pass scans every payment, so it runs on a database of its own.
    const own = await createIsolatedDatabase();
    const ownShop = await createShop(own.db);
    const ownPsp = await startSandbox(own.db);
    try {
      const order = await createOrder(own.db, { items: [{ productId: ownShop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
      const query = successRedirectSchema.parse(await ownPsp.approve(order));
      await confirmPayment(own.db, ownPsp.client({ headers: { 'TossPayments-Test-Code': 'COMMON_ERROR' } }), query);
      const stuck = (await own.db.select().from(payments).where(eq(payments.orderId, order.orderId)))[0]!;
      expect(stuck.status).toBe('UNKNOWN');
      const result = await recoveryTick(own.db, ownPsp.client(), policy, log);
      expect(result.jobs.payments!.outcomes).toEqual({ finished: 1 });
      expect(result.failed).toBe(0);
      const [done] = await own.db.select().from(payments).where(eq(payments.orderId, order.orderId));
      expect(done!.status).toBe('SUCCESS');
      await expectInvariantsHold(own.db, ownShop.merchantId);
    } finally {
      await ownPsp.close();
      await own.close();
    }
  });
});
