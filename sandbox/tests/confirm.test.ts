import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { pspPayments } from '@/sandbox/db/schema';
import { toKstIso } from '@/sandbox/lib/clock';
import { testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, newOrderId, paymentRow, testClock, useSandboxHarness,
} from './support';

const db = sandboxDb(testDatabase().sql);
const clock = testClock();
const h = useSandboxHarness(db, clock);

async function backendsWaitingForLocks(): Promise<number> {
  const rows = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and query like '%"sandbox"."payments"%'`,
  );
  return rows[0]?.n ?? 0;
}

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out waiting for the confirms to block');
}

const KST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/;
const MINUTE = 60_000;

describe('confirm', () => {
  it('approves an authenticated payment: 200 with the Payment object, status DONE', async () => {
    const requestedAt = clock.now();
    const auth = await approveInWindow(db, h.merchant, clock, { amount: 50_000, orderName: '원두 500g 외 1건' });
    clock.advance(30_000);
    const approvedAt = clock.now();

    const res = await h.sandbox.confirm(h.merchant.secretKey, { paymentKey: auth.paymentKey, orderId: auth.orderId, amount: 50_000 });

    expect(res.status).toBe(200);
    const p = res.json;
    expect(p).toMatchObject({
      version: '2022-11-16',
      mId: h.merchant.mId,
      paymentKey: auth.paymentKey,
      type: 'NORMAL',
      orderId: auth.orderId,
      orderName: '원두 500g 외 1건',
      currency: 'KRW',
      method: '카드',
      country: 'KR',
      totalAmount: 50_000,
      balanceAmount: 50_000,
      suppliedAmount: 45_455,
      vat: 4_545,
      taxFreeAmount: 0,
      taxExemptionAmount: 0,
      status: 'DONE',
      requestedAt: toKstIso(requestedAt),
      approvedAt: toKstIso(approvedAt),
      useEscrow: false,
      cultureExpense: false,
      isPartialCancelable: true,
      cancels: null,
      virtualAccount: null,
      secret: null,
      easyPay: null,
      failure: null,
      card: {
        amount: 50_000,
        issuerCode: expect.stringMatching(/^[0-9A-Z]{2}$/),
        acquirerCode: expect.stringMatching(/^[0-9A-Z]{2}$/),
        number: expect.stringMatching(/^\d{8}\*{4}\d{3}\*$/),
        installmentPlanMonths: 0,
        approveNo: expect.stringMatching(/^\d{8}$/),
        useCardPoint: false,
        cardType: '신용',
        ownerType: '개인',
        acquireStatus: 'READY',
        isInterestFree: false,
        interestPayer: null,
      },
    });
    expect(p.approvedAt).toMatch(KST);
    expect(p.requestedAt).toMatch(KST);
    expect(p.lastTransactionKey).toMatch(/^txrd_[a-z0-9]{27}$/);
    expect(p.suppliedAmount + p.vat + p.taxFreeAmount).toBe(p.totalAmount);
    expect(p.receipt.url).toMatch(/^https:\/\//);
    expect(p.checkout.url).toContain(auth.paymentKey);

    const row = await paymentRow(db, auth.paymentKey);
    expect(row.status).toBe('DONE');
    expect(row.approvedAt?.getTime()).toBe(approvedAt.getTime());
    expect(row.lastTransactionKey).toBe(p.lastTransactionKey);
    expect(row.approveNo).toBe(p.card.approveNo);
  });

  it('accepts the amount as a numeric string, as Toss samples send it from the successUrl', async () => {
    const auth = await approveInWindow(db, h.merchant, clock, { amount: 32_000 });
    expect(typeof auth.amount).toBe('string');
    const res = await h.sandbox.confirm(h.merchant.secretKey, auth);
    expect([res.status, res.json.status, res.json.totalAmount]).toEqual([200, 'DONE', 32_000]);
  });

  it('refuses a repeated confirm without an Idempotency-Key with 400 ALREADY_PROCESSED_PAYMENT', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const first = await h.sandbox.confirm(h.merchant.secretKey, auth);
    const again = await h.sandbox.confirm(h.merchant.secretKey, auth);
    expect(first.status).toBe(200);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ code: 'ALREADY_PROCESSED_PAYMENT', message: expect.any(String), data: null });
    expect((await paymentRow(db, auth.paymentKey)).lastTransactionKey).toBe(first.json.lastTransactionKey);
  });

  it('approves once when confirms race: one 200, the others ALREADY_PROCESSED_PAYMENT', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    // Make the race certain: hold the row until every confirm is inside the sandbox and waiting.
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    const holder = db.transaction(async (tx) => {
      await tx.select().from(pspPayments).where(eq(pspPayments.paymentKey, auth.paymentKey)).for('update');
      locked();
      await released;
    });
    await isLocked;
    const pending = Array.from({ length: 4 }, () => h.sandbox.confirm(h.merchant.secretKey, auth));
    try {
      await waitUntil(async () => (await backendsWaitingForLocks()) >= 4);
    } finally {
      release();
      await holder;
    }
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400, 400]);
    expect(answers.filter((a) => a.status === 400).every((a) => a.json.code === 'ALREADY_PROCESSED_PAYMENT')).toBe(true);
  });

  it.each([
    ['a different orderId', (a: { paymentKey: string; orderId: string; amount: string }) => ({ ...a, orderId: newOrderId() })],
    ['a different amount', (a: { paymentKey: string; orderId: string; amount: string }) => ({ ...a, amount: Number(a.amount) + 1 })],
    ['an unknown paymentKey', (a: { paymentKey: string; orderId: string; amount: string }) => ({ ...a, paymentKey: `${a.paymentKey}X` })],
  ])('answers 404 NOT_FOUND_PAYMENT_SESSION for %s and leaves the payment confirmable', async (_what, tamper) => {
    const auth = await approveInWindow(db, h.merchant, clock, { amount: 20_000 });
    const res = await h.sandbox.confirm(h.merchant.secretKey, tamper(auth));
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('NOT_FOUND_PAYMENT_SESSION');
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');
    expect((await h.sandbox.confirm(h.merchant.secretKey, auth)).status).toBe(200);
  });

  it('lets a second attempt of an already paid order fail with DUPLICATED_ORDER_ID', async () => {
    const orderId = newOrderId();
    const first = await approveInWindow(db, h.merchant, clock, { orderId });
    const second = await approveInWindow(db, h.merchant, clock, { orderId });
    expect(second.paymentKey).not.toBe(first.paymentKey);

    expect((await h.sandbox.confirm(h.merchant.secretKey, first)).status).toBe(200);
    const res = await h.sandbox.confirm(h.merchant.secretKey, second);
    expect([res.status, res.json.code]).toEqual([400, 'DUPLICATED_ORDER_ID']);
    expect((await paymentRow(db, second.paymentKey)).status).toBe('IN_PROGRESS');
  });
});

describe('the 10-minute confirm window', () => {
  it('still approves 10 minutes after authentication', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    clock.advance(10 * MINUTE);
    expect((await h.sandbox.confirm(h.merchant.secretKey, auth)).status).toBe(200);
  });

  it('expires the payment after 10 minutes: 404 NOT_FOUND_PAYMENT_SESSION, status EXPIRED with failure EXPIRED_PAYMENT', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    clock.advance(10 * MINUTE + 1_000);

    const res = await h.sandbox.confirm(h.merchant.secretKey, auth);
    expect([res.status, res.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT_SESSION']);

    const row = await paymentRow(db, auth.paymentKey);
    expect(row.status).toBe('EXPIRED');
    expect(row.failure).toEqual({ code: 'EXPIRED_PAYMENT', message: expect.any(String) });
    expect(row.approvedAt).toBeNull();

    const lookup = await h.sandbox.call('GET', `/v1/payments/${auth.paymentKey}`, { secretKey: h.merchant.secretKey });
    expect(lookup.json).toMatchObject({ status: 'EXPIRED', approvedAt: null, card: null, failure: { code: 'EXPIRED_PAYMENT' } });
    const again = await h.sandbox.confirm(h.merchant.secretKey, auth);
    expect([again.status, again.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT_SESSION']);
  });
});

describe('invalid requests', () => {
  const cases: [string, (a: { paymentKey: string; orderId: string }) => string, string][] = [
    ['a body that is not JSON', () => '{"paymentKey": ', 'JSON'],
    ['an empty body', () => '', 'JSON'],
    ['a JSON array', () => '[]', 'JSON object'],
    ['JSON null', () => 'null', 'JSON object'],
    ['no fields', () => '{}', 'paymentKey is required'],
    ['a missing amount', (a) => JSON.stringify({ ...a }), 'amount is required'],
    ['a non-numeric amount string', (a) => JSON.stringify({ ...a, amount: '15,000' }), 'amount'],
    ['a fractional amount', (a) => JSON.stringify({ ...a, amount: 15000.5 }), 'whole number'],
    ['a negative amount', (a) => JSON.stringify({ ...a, amount: -15000 }), 'greater than 0'],
    ['a zero amount', (a) => JSON.stringify({ ...a, amount: 0 }), 'greater than 0'],
    ['a boolean amount', (a) => JSON.stringify({ ...a, amount: true }), 'amount'],
    ['a numeric paymentKey', (a) => JSON.stringify({ ...a, paymentKey: 12345, amount: 15000 }), 'paymentKey must be a string'],
    ['an orderId that is too short', (a) => JSON.stringify({ ...a, orderId: 'abc', amount: 15000 }), 'orderId'],
    ['an orderId with other characters', (a) => JSON.stringify({ ...a, orderId: 'order id!', amount: 15000 }), 'orderId'],
    ['a paymentKey over 200 characters', (a) => JSON.stringify({ ...a, paymentKey: 'k'.repeat(201), amount: 15000 }), 'paymentKey'],
  ];

  it.each(cases)('answers 400 INVALID_REQUEST for %s, with a message naming the problem', async (_what, body, mentions) => {
    const auth = await approveInWindow(db, h.merchant, clock, { amount: 15_000 });
    const res = await h.sandbox.call('POST', '/v1/payments/confirm', {
      secretKey: h.merchant.secretKey,
      rawBody: body({ paymentKey: auth.paymentKey, orderId: auth.orderId }),
    });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('INVALID_REQUEST');
    expect(res.json.message).toContain(mentions);
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');
  });
});
