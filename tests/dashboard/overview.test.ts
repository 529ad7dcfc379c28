import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOverview, type Overview } from '@/lib/dashboard/get-overview';
import { addDays, kstDateOf } from '@/lib/kst';
import { newId } from '@/lib/ids';
import { createOrder, type OrderCreated } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { failRedirectSchema, recordWindowFailure } from '@/lib/payments/record-window-failure';
import { sandboxDb } from '@/sandbox/db/client';
import { createSandboxHandler } from '@/sandbox/server';
import { authorizePaymentWindow } from '@/sandbox/lib/authorize-window';
import { ensurePspMerchant } from '@/sandbox/lib/merchants';
import { createTossClient, type TossClient } from '@/lib/psp/toss-client';
import { requestRefund } from '@/lib/refunds/request-refund';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';
import { serveFetchHandler, type ServedHandler } from '../helpers/serve';

/**
 * The overview of a merchant with a known set of payments. Approvals happen on chosen days: the
 * PSP sandbox reads time through a clock, and the approval time we record is the PSP's. Declines
 * and refunds happen now (the database's clock), i.e. today.
 */
const { db } = testDatabase();
const pspDb = sandboxDb(db);

let clockAt: Date | null = null;
const clock = () => clockAt ?? new Date();
let server: ServedHandler;
let psp: TossClient;
let clientKey: string;

let shopA: TestShop; // products: 15,000 / 4,200 / 99,900 won
let shopB: TestShop;
let today: string;

const kstNoon = (day: string) => new Date(`${day}T12:00:00+09:00`);

async function order(shop: TestShop, product: 0 | 1 | 2, quantity = 1): Promise<OrderCreated> {
  return createOrder(db, { items: [{ productId: shop.productIds[product], quantity }], checkoutKey: newId('cfm') });
}

function windowInput(o: OrderCreated, action: 'approve' | 'decline' | 'cancel') {
  return {
    clientKey, orderId: o.orderId, orderName: o.orderName, amount: o.amount, currency: 'KRW',
    successUrl: 'http://shop.test/checkout/success', failUrl: 'http://shop.test/checkout/fail', action,
  };
}

/** The shopper approves in the window and we confirm, with the PSP's clock at `at` (default now). */
async function pay(o: OrderCreated, at?: Date): Promise<string> {
  clockAt = at ?? null;
  try {
    const q = new URL(await authorizePaymentWindow(pspDb, windowInput(o, 'approve'), clock)).searchParams;
    const result = await confirmPayment(db, psp, successRedirectSchema.parse({ orderId: q.get('orderId'), paymentKey: q.get('paymentKey'), amount: q.get('amount') }));
    expect(result.status).toBe('PAID');
    return result.payment!.id;
  } finally {
    clockAt = null;
  }
}

/** The card is declined (or the shopper cancels) in the window; the fail redirect records it. */
async function decline(o: OrderCreated, action: 'decline' | 'cancel' = 'decline'): Promise<void> {
  const q = new URL(await authorizePaymentWindow(pspDb, windowInput(o, action), clock)).searchParams;
  const result = await recordWindowFailure(db, psp, failRedirectSchema.parse({ orderId: q.get('orderId'), code: q.get('code'), message: q.get('message') ?? '' }));
  expect(result.status).toBe('PAYMENT_FAILED');
}

async function refund(shop: TestShop, paymentId: string, amount?: number): Promise<void> {
  const r = await requestRefund(db, psp, { merchantId: shop.merchantId, paymentId, idempotencyKey: newId('rfd'), request: { amount, reason: 'test' }, requestedBy: 'test' });
  expect(r.refund.status).toBe('SUCCEEDED');
}

const overview = (shop: TestShop, days: 7 | 30 | 90) => getOverview(db, shop.merchantId, { days });
const nonZeroDays = (o: Overview) => o.series.filter((d) => d.approvedCount > 0 || d.approvedAmount > 0);

beforeAll(async () => {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 16);
  clientKey = `test_ck_${suffix}`;
  const secretKey = `test_sk_${suffix}`;
  await ensurePspMerchant(pspDb, { mId: `m${suffix.slice(0, 12)}`, name: 'Test platform', clientKey, secretKey, redirectOrigins: ['http://shop.test'] });
  server = await serveFetchHandler(createSandboxHandler({ db: pspDb, now: clock, operatorToken: 'test-operator-token-0123456789' }));
  psp = createTossClient({ baseUrl: server.url, secretKey, timeoutMs: 5_000 });

  today = kstDateOf(new Date());
  shopA = await createShop(db);
  shopB = await createShop(db);

  // Merchant A. Today: 15,000 and 2 × 4,200 = 8,400.
  const a1 = await pay(await order(shopA, 0));
  const a2 = await pay(await order(shopA, 1, 2));
  // Two days ago at 00:30 KST, which is still the day before in UTC: counts on today − 2.
  await pay(await order(shopA, 2), new Date(`${addDays(today, -2)}T00:30:00+09:00`));
  await pay(await order(shopA, 0), kstNoon(addDays(today, -10)));
  await pay(await order(shopA, 1), kstNoon(addDays(today, -40)));
  await decline(await order(shopA, 0));
  await decline(await order(shopA, 2));
  await decline(await order(shopA, 1), 'cancel'); // the shopper walked away: not a refusal
  await order(shopA, 2); // awaiting payment: not a finished attempt
  await refund(shopA, a1, 5_000);
  await refund(shopA, a2); // all 8,400

  // Merchant B, same days: never part of A's figures.
  const b1 = await pay(await order(shopB, 2, 3)); // 299,700
  await pay(await order(shopB, 0), new Date(`${addDays(today, -2)}T00:30:00+09:00`));
  await decline(await order(shopB, 1));
  await refund(shopB, b1, 1_000);
});

afterAll(async () => {
  await server.close();
  await closeTestDatabase();
});

describe('overview', () => {
  it('30 days: approved volume and count per KST day, zero days filled in', async () => {
    const o = await overview(shopA, 30);
    expect(o.from).toBe(addDays(today, -29));
    expect(o.to).toBe(today);
    expect(o.series).toHaveLength(30);
    expect(o.series.map((d) => d.date)).toEqual(Array.from({ length: 30 }, (_, i) => addDays(today, i - 29)));
    expect(nonZeroDays(o)).toEqual([
      { date: addDays(today, -10), approvedAmount: 15_000, approvedCount: 1 },
      { date: addDays(today, -2), approvedAmount: 99_900, approvedCount: 1 },
      { date: today, approvedAmount: 23_400, approvedCount: 2 },
    ]);
    // The 00:30 KST approval is not on its UTC day.
    expect(o.series.find((d) => d.date === addDays(today, -3))).toEqual({ date: addDays(today, -3), approvedAmount: 0, approvedCount: 0 });
    expect(o.approved).toEqual({ count: 4, amount: 138_300 });
  });

  it('approval rate is approved of decided attempts (a shopper cancel is not one); refunds are counted and summed', async () => {
    const o = await overview(shopA, 30);
    expect(o.failedCount).toBe(3);
    expect(o.declinedCount).toBe(2);
    expect(o.approvalRate).toBeCloseTo(4 / 6, 10);
    expect(o.refunds).toEqual({ count: 2, amount: 13_400 });
  });

  it('the window follows `days`: 7 leaves out older approvals, 90 takes them in', async () => {
    const week = await overview(shopA, 7);
    expect(week.series).toHaveLength(7);
    expect(week.from).toBe(addDays(today, -6));
    expect(week.approved).toEqual({ count: 3, amount: 123_300 });
    expect(week.approvalRate).toBeCloseTo(3 / 5, 10);

    const quarter = await overview(shopA, 90);
    expect(quarter.series).toHaveLength(90);
    expect(quarter.approved).toEqual({ count: 5, amount: 142_500 });
    expect(nonZeroDays(quarter).map((d) => d.date)).toEqual([addDays(today, -40), addDays(today, -10), addDays(today, -2), today]);
  });

  it('balances per account come from the journal lines', async () => {
    const o = await overview(shopA, 7);
    // Approved 142,500 in all, fees 375 + 210 + 2,497 + 375 + 105 = 3,562 (2.5 %, rounded down),
    // refunded 13,400 (the fee stays with the platform).
    expect(Object.fromEntries(o.balances.map((b) => [b.code, b.balance]))).toEqual({
      PSP_RECEIVABLE: 142_500 - 13_400,
      MERCHANT_PAYABLE: -142_500 + 3_562 + 13_400,
      PLATFORM_REVENUE: -3_562,
    });
    expect(o.balances.every((b) => b.currency === 'KRW' && typeof b.balance === 'number')).toBe(true);
  });

  it('another merchant\'s payments never appear, and its own figures are its own', async () => {
    const b = await overview(shopB, 30);
    expect(nonZeroDays(b)).toEqual([
      { date: addDays(today, -2), approvedAmount: 15_000, approvedCount: 1 },
      { date: today, approvedAmount: 299_700, approvedCount: 1 },
    ]);
    expect(b.failedCount).toBe(1);
    expect(b.approvalRate).toBeCloseTo(2 / 3, 10);
    expect(b.refunds).toEqual({ count: 1, amount: 1_000 });
    expect(b.balances.find((x) => x.code === 'PSP_RECEIVABLE')?.balance).toBe(314_700 - 1_000);
  });

  it('a merchant without payments gets zeros for every day and no approval rate', async () => {
    const empty = await createShop(db);
    const o = await overview(empty, 30);
    expect(o.series).toHaveLength(30);
    expect(o.series.every((d) => d.approvedAmount === 0 && d.approvedCount === 0)).toBe(true);
    expect(o.approved).toEqual({ count: 0, amount: 0 });
    expect(o.failedCount).toBe(0);
    expect(o.approvalRate).toBeNull();
    expect(o.refunds).toEqual({ count: 0, amount: 0 });
    expect(o.balances).toEqual([]);
  });

  it('"today" is the Korean day: just after midnight KST the window already ends on the new day', async () => {
    // 2024-04-01 00:10 KST is 2024-03-31 15:10 UTC.
    const o = await getOverview(db, shopA.merchantId, { days: 7 }, new Date('2024-03-31T15:10:00Z'));
    expect(o.to).toBe('2024-04-01');
    expect(o.from).toBe('2024-03-26');
    expect(o.approved).toEqual({ count: 0, amount: 0 });
  });
});
