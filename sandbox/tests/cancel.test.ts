import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { pspPayments } from '@/sandbox/db/schema';
import { cancelPayment } from '@/sandbox/lib/cancel-payment';
import { toKstIso } from '@/sandbox/lib/clock';
import { testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, confirmedPayment, createPspMerchant, paymentRow, testClock, useSandboxHarness,
} from './support';

const db = sandboxDb(testDatabase().sql);
const clock = testClock();
const h = useSandboxHarness(db, clock);

const KST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/;
const paid = (amount = 10_000) => confirmedPayment(db, h.sandbox, h.merchant, clock, { amount });
const cancel = (paymentKey: string, body: unknown, headers?: Record<string, string>) =>
  h.sandbox.cancel(h.merchant.secretKey, paymentKey, body, headers);
const lookup = (paymentKey: string) => h.sandbox.call('GET', `/v1/payments/${paymentKey}`, { secretKey: h.merchant.secretKey });

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function backendsWaitingForLocks(): Promise<number> {
  const rows = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and query like '%"sandbox"."payments"%'`,
  );
  return rows[0]?.n ?? 0;
}

describe('cancel', () => {
  it('cancels the whole balance when cancelAmount is omitted: CANCELED, balance 0, one cancel with every Toss field', async () => {
    const p = await paid(10_000);
    clock.advance(60_000);
    const canceledAt = clock.now();
    const res = await cancel(p.paymentKey, { cancelReason: '고객 변심' });

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      paymentKey: p.paymentKey,
      status: 'CANCELED',
      totalAmount: 10_000,
      balanceAmount: 0,
      suppliedAmount: 0,
      vat: 0,
      approvedAt: p.approval.json.approvedAt,
    });
    expect(res.json.cancels).toEqual([{
      cancelAmount: 10_000,
      cancelReason: '고객 변심',
      taxFreeAmount: 0,
      taxExemptionAmount: 0,
      refundableAmount: 0,
      cardDiscountAmount: 0,
      transferDiscountAmount: 0,
      easyPayDiscountAmount: 0,
      canceledAt: toKstIso(canceledAt),
      transactionKey: expect.stringMatching(/^txrd_[a-z0-9]{27}$/),
      receiptKey: null,
      cancelStatus: 'DONE',
      cancelRequestId: null,
    }]);
    expect(res.json.cancels[0].canceledAt).toMatch(KST);
    expect(res.json.lastTransactionKey).toBe(res.json.cancels[0].transactionKey);
    expect(res.json.lastTransactionKey).not.toBe(p.approval.json.lastTransactionKey);
    expect(res.json.card.acquireStatus).toBe('CANCELED');
    expect((await lookup(p.paymentKey)).json).toEqual(res.json);
  });

  it('cancels part of the balance, then the rest: PARTIAL_CANCELED, then CANCELED with both cancels in order', async () => {
    const p = await paid(10_000);
    const first = await cancel(p.paymentKey, { cancelReason: '부분 환불', cancelAmount: 3_000 });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: 'PARTIAL_CANCELED', totalAmount: 10_000, balanceAmount: 7_000, suppliedAmount: 6_364, vat: 636 });
    expect(first.json.cancels).toHaveLength(1);
    expect(first.json.cancels[0]).toMatchObject({ cancelAmount: 3_000, refundableAmount: 7_000 });
    expect(first.json.card.acquireStatus).toBe('READY');

    const second = await cancel(p.paymentKey, { cancelReason: '나머지 환불', cancelAmount: '7000' });
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ status: 'CANCELED', balanceAmount: 0 });
    expect(second.json.cancels.map((c: { cancelAmount: number; refundableAmount: number; cancelReason: string }) =>
      [c.cancelAmount, c.refundableAmount, c.cancelReason])).toEqual([[3_000, 7_000, '부분 환불'], [7_000, 0, '나머지 환불']]);
    expect(second.json.cancels[0].transactionKey).toBe(first.json.lastTransactionKey);
    expect(second.json.lastTransactionKey).toBe(second.json.cancels[1].transactionKey);
    expect(new Set([p.approval.json.lastTransactionKey, first.json.lastTransactionKey, second.json.lastTransactionKey]).size).toBe(3);
  });

  it('refuses more than the balance with 403 NOT_CANCELABLE_AMOUNT and changes nothing', async () => {
    const p = await paid(10_000);
    await cancel(p.paymentKey, { cancelReason: 'a', cancelAmount: 4_000 });
    const before = await paymentRow(db, p.paymentKey);
    const res = await cancel(p.paymentKey, { cancelReason: 'b', cancelAmount: 6_001 });
    expect([res.status, res.json.code]).toEqual([403, 'NOT_CANCELABLE_AMOUNT']);
    expect(await paymentRow(db, p.paymentKey)).toEqual(before);
    const exact = await cancel(p.paymentKey, { cancelReason: 'c', cancelAmount: 6_000 });
    expect([exact.status, exact.json.status]).toEqual([200, 'CANCELED']);
  });

  it('checks refundableAmount against the balance: 400 NOT_MATCHES_REFUNDABLE_AMOUNT when it differs', async () => {
    const p = await paid(10_000);
    await cancel(p.paymentKey, { cancelReason: 'a', cancelAmount: 1_000 });
    const stale = await cancel(p.paymentKey, { cancelReason: 'b', cancelAmount: 1_000, refundableAmount: 10_000 });
    expect([stale.status, stale.json.code]).toEqual([400, 'NOT_MATCHES_REFUNDABLE_AMOUNT']);
    expect((await paymentRow(db, p.paymentKey)).balanceAmount).toBe(9_000);
    const current = await cancel(p.paymentKey, { cancelReason: 'b', cancelAmount: 1_000, refundableAmount: 9_000 });
    expect([current.status, current.json.balanceAmount]).toEqual([200, 8_000]);
  });

  it('answers 400 ALREADY_CANCELED_PAYMENT for a payment already fully cancelled', async () => {
    const p = await paid();
    expect((await cancel(p.paymentKey, { cancelReason: 'first' })).status).toBe(200);
    const again = await cancel(p.paymentKey, { cancelReason: 'second' });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ code: 'ALREADY_CANCELED_PAYMENT', message: expect.any(String), data: null });
    expect((await paymentRow(db, p.paymentKey)).cancels).toHaveLength(1);
  });

  it('refuses a payment that was never approved with 403 NOT_CANCELABLE_PAYMENT', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const res = await cancel(auth.paymentKey, { cancelReason: 'not paid' });
    expect([res.status, res.json.code]).toEqual([403, 'NOT_CANCELABLE_PAYMENT']);
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');
  });

  it('refuses an expired payment with 403 NOT_CANCELABLE_PAYMENT (and it shows as EXPIRED)', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    clock.advance(11 * 60_000);
    const res = await cancel(auth.paymentKey, { cancelReason: 'too late' });
    expect([res.status, res.json.code]).toEqual([403, 'NOT_CANCELABLE_PAYMENT']);
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('EXPIRED');
  });

  it("answers 404 NOT_FOUND_PAYMENT for an unknown paymentKey and for another merchant's payment", async () => {
    const unknown = await cancel('tsbx20260101000000nope0', { cancelReason: 'x' });
    expect([unknown.status, unknown.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT']);

    const other = await createPspMerchant(db);
    const theirs = await confirmedPayment(db, h.sandbox, other, clock);
    const res = await cancel(theirs.paymentKey, { cancelReason: 'not mine' });
    expect([res.status, res.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT']);
    expect((await paymentRow(db, theirs.paymentKey)).status).toBe('DONE');
  });

  it('requires Basic auth', async () => {
    const p = await paid();
    const res = await h.sandbox.call('POST', `/v1/payments/${p.paymentKey}/cancel`, { body: { cancelReason: 'x' } });
    expect([res.status, res.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
    expect((await paymentRow(db, p.paymentKey)).status).toBe('DONE');
  });

  it('accepts a 200-character cancelReason and currency KRW', async () => {
    const p = await paid();
    const res = await cancel(p.paymentKey, { cancelReason: '가'.repeat(200), currency: 'KRW', cancelAmount: 1 });
    expect([res.status, res.json.cancels[0].cancelReason.length]).toEqual([200, 200]);
  });

  const invalid: [string, unknown, string][] = [
    ['no cancelReason', { cancelAmount: 1_000 }, 'cancelReason is required'],
    ['a blank cancelReason', { cancelReason: '   ' }, 'cancelReason must not be empty'],
    ['a cancelReason over 200 characters', { cancelReason: 'x'.repeat(201) }, 'at most 200'],
    ['a numeric cancelReason', { cancelReason: 7 }, 'cancelReason must be a string'],
    ['a zero cancelAmount', { cancelReason: 'x', cancelAmount: 0 }, 'cancelAmount must be greater than 0'],
    ['a negative cancelAmount', { cancelReason: 'x', cancelAmount: -100 }, 'cancelAmount must be greater than 0'],
    ['a fractional cancelAmount', { cancelReason: 'x', cancelAmount: 100.5 }, 'cancelAmount must be a whole number'],
    ['a cancelAmount that is not a number', { cancelReason: 'x', cancelAmount: '1,000' }, 'cancelAmount must be a number'],
    ['a null cancelAmount', { cancelReason: 'x', cancelAmount: null }, 'cancelAmount'],
    ['a negative refundableAmount', { cancelReason: 'x', refundableAmount: -1 }, 'refundableAmount must not be negative'],
    ['another currency', { cancelReason: 'x', currency: 'USD' }, 'currency'],
    ['a tax-free amount', { cancelReason: 'x', taxFreeAmount: 100 }, 'taxFreeAmount'],
    ['a JSON array', [], 'JSON object'],
  ];
  it.each(invalid)('answers 400 INVALID_REQUEST for %s, naming the problem, and changes nothing', async (_what, body, mentions) => {
    const p = await paid();
    const res = await cancel(p.paymentKey, body);
    expect([res.status, res.json.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(res.json.message).toContain(mentions);
    expect((await paymentRow(db, p.paymentKey)).status).toBe('DONE');
  });

  it('answers 400 INVALID_REQUEST for a body that is not JSON', async () => {
    const p = await paid();
    const res = await h.sandbox.call('POST', `/v1/payments/${p.paymentKey}/cancel`, { secretKey: h.merchant.secretKey, rawBody: 'cancelReason=x' });
    expect([res.status, res.json.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(res.json.message).toContain('JSON');
  });

  it('forces TossPayments-Test-Code errors on cancel without cancelling', async () => {
    const p = await paid();
    const res = await cancel(p.paymentKey, { cancelReason: 'x' }, { 'TossPayments-Test-Code': 'FAILED_REFUND_PROCESS' });
    expect([res.status, res.json.code]).toEqual([500, 'FAILED_REFUND_PROCESS']);
    const forbidden = await cancel(p.paymentKey, { cancelReason: 'x' }, { 'TossPayments-Test-Code': 'NOT_CANCELABLE_PAYMENT' });
    expect([forbidden.status, forbidden.json.code]).toEqual([403, 'NOT_CANCELABLE_PAYMENT']);
    expect((await paymentRow(db, p.paymentKey)).status).toBe('DONE');
  });
});

describe('cancel with an Idempotency-Key', () => {
  it('replays the first response byte for byte and cancels once', async () => {
    const p = await paid(10_000);
    const k = randomUUID();
    const first = await cancel(p.paymentKey, { cancelReason: 'x', cancelAmount: 1_000 }, { 'Idempotency-Key': k });
    const retry = await cancel(p.paymentKey, { cancelReason: 'x', cancelAmount: 1_000 }, { 'Idempotency-Key': k });
    expect(first.status).toBe(200);
    expect(retry.text).toBe(first.text);
    const row = await paymentRow(db, p.paymentKey);
    expect([row.balanceAmount, row.cancels.length]).toEqual([9_000, 1]);
  });

  it("is scoped by path: the same key cancels another payment, and does not collide with confirm's", async () => {
    const k = randomUUID();
    const auth = await approveInWindow(db, h.merchant, clock);
    expect((await h.sandbox.confirm(h.merchant.secretKey, auth, { 'Idempotency-Key': k })).status).toBe(200);
    const other = await paid();
    const a = await cancel(auth.paymentKey, { cancelReason: 'x' }, { 'Idempotency-Key': k });
    const b = await cancel(other.paymentKey, { cancelReason: 'x' }, { 'Idempotency-Key': k });
    expect([a.status, a.json.paymentKey, a.json.status]).toEqual([200, auth.paymentKey, 'CANCELED']);
    expect([b.status, b.json.paymentKey, b.json.status]).toEqual([200, other.paymentKey, 'CANCELED']);
  });

  it('replays a refusal too: a retry with a smaller amount under the same key is not executed', async () => {
    const p = await paid(10_000);
    const k = randomUUID();
    const tooMuch = await cancel(p.paymentKey, { cancelReason: 'x', cancelAmount: 20_000 }, { 'Idempotency-Key': k });
    const retry = await cancel(p.paymentKey, { cancelReason: 'x', cancelAmount: 1_000 }, { 'Idempotency-Key': k });
    expect([tooMuch.status, tooMuch.json.code]).toEqual([403, 'NOT_CANCELABLE_AMOUNT']);
    expect(retry.text).toBe(tooMuch.text);
    expect((await paymentRow(db, p.paymentKey)).balanceAmount).toBe(10_000);
  });
});

describe('concurrent cancels', () => {
  it('lets one of two partial cancels that together exceed the balance succeed; the other gets NOT_CANCELABLE_AMOUNT', async () => {
    const p = await paid(10_000);
    // Hold the row until both cancels are inside the sandbox and waiting for it, so they race.
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    const holder = db.transaction(async (tx) => {
      await tx.select().from(pspPayments).where(eq(pspPayments.paymentKey, p.paymentKey)).for('update');
      locked();
      await released;
    });
    await isLocked;
    const pending = [
      cancel(p.paymentKey, { cancelReason: 'first', cancelAmount: 6_000 }),
      cancel(p.paymentKey, { cancelReason: 'second', cancelAmount: 6_000 }),
    ];
    try {
      await waitUntil(async () => (await backendsWaitingForLocks()) >= 2, 'both cancels to wait for the row');
    } finally {
      release();
      await holder;
    }
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 403]);
    expect(answers.find((a) => a.status === 403)?.json.code).toBe('NOT_CANCELABLE_AMOUNT');
    const row = await paymentRow(db, p.paymentKey);
    expect([row.status, row.balanceAmount, row.cancels.length]).toEqual(['PARTIAL_CANCELED', 4_000, 1]);
  });

  it('cancels exactly the balance when many partial cancels race (domain function, no HTTP)', async () => {
    const p = await paid(10_000);
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
      cancelPayment(db, { mId: h.merchant.mId, paymentKey: p.paymentKey, cancelReason: `part ${i}`, cancelAmount: 3_000 }, clock.now)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(3);
    expect(refused.every((r) => (r.reason as { code?: string }).code === 'NOT_CANCELABLE_AMOUNT')).toBe(true);
    const row = await paymentRow(db, p.paymentKey);
    expect([row.balanceAmount, row.cancels.length]).toEqual([1_000, 3]);
    expect(row.cancels.map((c) => c.refundableAmount)).toEqual([7_000, 4_000, 1_000]);
  });
});
