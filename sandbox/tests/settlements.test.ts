import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pspMerchants } from '@/sandbox/db/schema';
import { addDays, listSettlements } from '@/sandbox/lib/list-settlements';
import type { PspMerchant } from '@/sandbox/lib/merchants';
import { feeFor } from '@/sandbox/lib/transactions';
import { closeTestDatabase, testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, confirmedPayment, createPspMerchant, paymentRow, startSandbox, testClock, type RunningSandbox,
} from './support';

const db = sandboxDb(testDatabase().sql);
// 2026-03-10 23:59:00 in Korea (UTC+9): a minute before a KST day boundary.
const clock = testClock(new Date('2026-03-10T14:59:00Z'));
let sandbox: RunningSandbox;
let merchant: PspMerchant;

beforeAll(async () => {
  sandbox = await startSandbox(db, clock);
});
afterAll(async () => {
  await sandbox.close();
  await closeTestDatabase();
});

/** A fresh merchant (so its settlements are only this test's) at a given fee rate. */
async function merchantAt(feeBps: number): Promise<PspMerchant> {
  const m = await createPspMerchant(db);
  await db.update(pspMerchants).set({ feeBps }).where(eq(pspMerchants.mId, m.mId));
  return { ...m, feeBps };
}

const settlements = (m: PspMerchant, query: Record<string, string>) =>
  sandbox.call('GET', `/v1/settlements?${new URLSearchParams(query)}`, { secretKey: m.secretKey });

describe('GET /v1/settlements', () => {
  it('has one row per approval with the fee split into supply amount and VAT, and paidOutDate 2 days later', async () => {
    merchant = await merchantAt(250);
    const p = await confirmedPayment(db, sandbox, merchant, clock, { amount: 10_000 });
    const res = await settlements(merchant, { startDate: '2026-03-10', endDate: '2026-03-10' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{
      mId: merchant.mId,
      paymentKey: p.paymentKey,
      transactionKey: p.approval.json.lastTransactionKey,
      orderId: p.orderId,
      currency: 'KRW',
      method: '카드',
      amount: 10_000,
      interestFee: 0,
      fees: [{ type: 'BASE', fee: 250 }],
      fee: 250,
      supplyAmount: 227,
      vat: 23,
      payOutAmount: 9_750,
      approvedAt: p.approval.json.approvedAt,
      soldDate: '2026-03-10',
      paidOutDate: '2026-03-12',
      card: {
        issuerCode: '41', acquirerCode: '41', number: p.approval.json.card.number, installmentPlanMonths: 0,
        approveNo: p.approval.json.card.approveNo, cardType: '신용', ownerType: '개인',
      },
      easyPay: null,
      giftCertificate: null,
      mobilePhone: null,
      transfer: null,
      virtualAccount: null,
      cancel: null,
    }]);
  });

  it('has a negative row per cancel, with its cancel object, dated by the Korean day of the cancel', async () => {
    const m = await merchantAt(250);
    const p = await confirmedPayment(db, sandbox, m, clock, { amount: 10_000 }); // 03-10 23:59 KST
    clock.advance(60_000); // 03-11 00:00 KST
    const partial = await sandbox.cancel(m.secretKey, p.paymentKey, { cancelReason: '부분 취소', cancelAmount: 3_000 });
    const rest = await sandbox.cancel(m.secretKey, p.paymentKey, { cancelReason: '전액 취소' });

    const day1 = await settlements(m, { startDate: '2026-03-10', endDate: '2026-03-10' });
    expect(day1.json.map((r: { amount: number }) => r.amount)).toEqual([10_000]);
    const day2 = await settlements(m, { startDate: '2026-03-11', endDate: '2026-03-11' });
    expect(day2.json).toHaveLength(2);
    expect(day2.json[0]).toMatchObject({
      paymentKey: p.paymentKey,
      transactionKey: partial.json.cancels[0].transactionKey,
      amount: -3_000,
      fees: [{ type: 'BASE', fee: -75 }],
      fee: -75,
      supplyAmount: -68,
      vat: -7,
      payOutAmount: -2_925,
      approvedAt: p.approval.json.approvedAt,
      soldDate: '2026-03-11',
      paidOutDate: '2026-03-13',
      cancel: partial.json.cancels[0],
    });
    expect(day2.json[1]).toMatchObject({ amount: -7_000, fee: -175, payOutAmount: -6_825, cancel: rest.json.cancels[1] });
    for (const row of [...day1.json, ...day2.json]) {
      expect(row.fee).toBe(row.supplyAmount + row.vat);
      expect(row.payOutAmount).toBe(row.amount - row.fee);
      expect(row.vat).toBe(Math.sign(row.fee) * Math.round(Math.abs(row.fee) / 11));
    }
    // Fully cancelled at one rate: amounts and fees net to zero.
    const all = [...day1.json, ...day2.json];
    expect(all.reduce((n: number, r: { amount: number }) => n + r.amount, 0)).toBe(0);
    expect(all.reduce((n: number, r: { fee: number }) => n + r.fee, 0)).toBe(0);
  });

  it('filters by paidOutDate with dateType=paidOutDate', async () => {
    const m = await merchantAt(320);
    const p = await confirmedPayment(db, sandbox, m, clock);
    const sold = (await paymentRow(db, p.paymentKey)).approvedAt!;
    const soldDate = new Date(sold.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    const paidOut = addDays(soldDate, 2);
    const bySold = await settlements(m, { startDate: paidOut, endDate: paidOut });
    expect(bySold.json).toEqual([]);
    const byPaidOut = await settlements(m, { startDate: paidOut, endDate: paidOut, dateType: 'paidOutDate' });
    expect(byPaidOut.json.map((r: { paymentKey: string; soldDate: string; paidOutDate: string }) => [r.paymentKey, r.soldDate, r.paidOutDate]))
      .toEqual([[p.paymentKey, soldDate, paidOut]]);
  });

  it('keeps the fee of the rate at the time: a later fee change applies to later movements only', async () => {
    const m = await merchantAt(300);
    const p = await confirmedPayment(db, sandbox, m, clock, { amount: 20_000 });
    await db.update(pspMerchants).set({ feeBps: 100 }).where(eq(pspMerchants.mId, m.mId));
    await sandbox.cancel(m.secretKey, p.paymentKey, { cancelReason: 'x', cancelAmount: 20_000 });
    const today = new Date(clock.now().getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    const res = await settlements(m, { startDate: '2026-01-01', endDate: today });
    expect(res.json.map((r: { amount: number; fee: number }) => [r.amount, r.fee])).toEqual([[20_000, 600], [-20_000, -200]]);
  });

  it("pages with page and size, and shows no other merchant's rows", async () => {
    const m = await merchantAt(250);
    const other = await merchantAt(250);
    await confirmedPayment(db, sandbox, other, clock);
    const keys = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      keys.push((await confirmedPayment(db, sandbox, m, clock, { amount: 1_000 + i })).paymentKey);
    }
    const range = { startDate: '2026-01-01', endDate: '2026-12-31' };
    const all = await settlements(m, { ...range });
    expect(all.json.map((r: { paymentKey: string }) => r.paymentKey)).toEqual(keys);
    const pages = [];
    for (const page of ['1', '2', '3', '4']) pages.push((await settlements(m, { ...range, page, size: '2' })).json);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1, 0]);
    expect(pages.flat()).toEqual(all.json);
  });

  it('includes rows of the same day (unlike Toss, which shows them from the next day)', async () => {
    const m = await merchantAt(250);
    const p = await confirmedPayment(db, sandbox, m, clock);
    const today = new Date(clock.now().getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    const res = await settlements(m, { startDate: today, endDate: today });
    expect(res.json.map((r: { paymentKey: string }) => r.paymentKey)).toEqual([p.paymentKey]);
  });

  it('has no rows for payments that were never approved', async () => {
    const m = await merchantAt(250);
    await approveInWindow(db, m, clock);
    const expired = await approveInWindow(db, m, clock);
    clock.advance(11 * 60_000);
    await sandbox.call('GET', `/v1/payments/${expired.paymentKey}`, { secretKey: m.secretKey });
    expect((await settlements(m, { startDate: '2026-01-01', endDate: '2026-12-31' })).json).toEqual([]);
  });

  it.each([
    ['no startDate', { endDate: '2026-03-10' }, 'startDate is required'],
    ['no endDate', { startDate: '2026-03-10' }, 'endDate is required'],
    ['a date with slashes', { startDate: '2026/03/10', endDate: '2026-03-10' }, 'startDate must be a date written yyyy-MM-dd'],
    ['a date-time', { startDate: '2026-03-10T00:00:00', endDate: '2026-03-10' }, 'yyyy-MM-dd'],
    ['a day that does not exist', { startDate: '2026-02-30', endDate: '2026-03-10' }, 'startDate is not a calendar date'],
    ['endDate before startDate', { startDate: '2026-03-10', endDate: '2026-03-09' }, 'endDate must not be before startDate'],
    ['size above 5000', { startDate: '2026-03-10', endDate: '2026-03-10', size: '5001' }, 'size must be at most 5000'],
    ['size 0', { startDate: '2026-03-10', endDate: '2026-03-10', size: '0' }, 'size must be at least 1'],
    ['a size that is not a number', { startDate: '2026-03-10', endDate: '2026-03-10', size: 'all' }, 'size must be a whole number'],
    ['page 0', { startDate: '2026-03-10', endDate: '2026-03-10', page: '0' }, 'page must be at least 1'],
    ['another dateType', { startDate: '2026-03-10', endDate: '2026-03-10', dateType: 'approvedAt' }, 'dateType must be soldDate or paidOutDate'],
    ['a date before 1900', { startDate: '0001-01-01', endDate: '2026-03-10' }, 'startDate must not be before 1900-01-01'],
  ])('answers 400 INVALID_REQUEST for %s, naming the problem', async (_what, query, mentions) => {
    const res = await settlements(merchant, query as Record<string, string>);
    expect([res.status, res.json.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(res.json.message).toContain(mentions);
  });

  it('accepts size 5000', async () => {
    const res = await settlements(merchant, { startDate: '2026-03-10', endDate: '2026-03-10', size: '5000' });
    expect(res.status).toBe(200);
  });

  it('requires auth, and answers TossPayments-Test-Code', async () => {
    const anonymous = await sandbox.call('GET', '/v1/settlements?startDate=2026-03-10&endDate=2026-03-10');
    expect([anonymous.status, anonymous.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
    const forced = await sandbox.call('GET', '/v1/settlements?startDate=2026-03-10&endDate=2026-03-10', {
      secretKey: merchant.secretKey, headers: { 'TossPayments-Test-Code': 'FORBIDDEN_CONSECUTIVE_REQUEST' },
    });
    expect([forced.status, forced.json.code]).toEqual([403, 'FORBIDDEN_CONSECUTIVE_REQUEST']);
  });
});

describe('listSettlements (in process)', () => {
  it('puts paidOutDate payoutDelayDays after soldDate', async () => {
    const m = await merchantAt(250);
    await confirmedPayment(db, sandbox, m, clock);
    const today = new Date(clock.now().getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    const query = { mId: m.mId, startDate: today, endDate: today, dateType: 'soldDate' as const, page: 1, size: 100 };
    expect((await listSettlements(db, query, { payoutDelayDays: 5 }))[0]?.paidOutDate).toBe(addDays(today, 5));
    expect((await listSettlements(db, query, { payoutDelayDays: 0 }))[0]?.paidOutDate).toBe(today);
    const byPaidOut = await listSettlements(db, { ...query, dateType: 'paidOutDate', startDate: addDays(today, 5), endDate: addDays(today, 5) }, { payoutDelayDays: 5 });
    expect(byPaidOut).toHaveLength(1);
  });
});

describe('feeFor', () => {
  it('rounds half up to a whole won', () => {
    expect(feeFor(10_000, 250)).toBe(250);
    expect(feeFor(1_020, 250)).toBe(26); // 25.5
    expect(feeFor(1_019, 250)).toBe(25); // 25.475
    expect(feeFor(1, 0)).toBe(0);
  });

  it('stays exact for amounts where amount × bps passes 2^53', () => {
    expect(feeFor(9_007_199_254_740_991, 320)).toBe(288_230_376_151_712);
  });
});

describe('addDays', () => {
  it('adds calendar days across month and year ends, and refuses non-dates', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 2)).toBe('2027-01-02');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });
});
