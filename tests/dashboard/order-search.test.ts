import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders } from '@/db/schema';
import { addDays, kstDateOf } from '@/lib/kst';
import { orderSearchSchema, type OrderSearch } from '@/lib/dashboard/order-search-params';
import { describeIssues } from '@/lib/dashboard/search-params';
import { searchOrders } from '@/lib/dashboard/search-orders';
import { newId } from '@/lib/ids';
import { createOrder, type OrderCreated } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { getOrderStatus } from '@/lib/payments/get-order-status';
import { recordWindowFailure } from '@/lib/payments/record-window-failure';
import { requestPayment } from '@/lib/payments/request-payment';
import { requestRefund } from '@/lib/refunds/request-refund';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';
import { startSandbox, type SandboxUnderTest } from '../helpers/psp';

const { db } = testDatabase();
let psp: SandboxUnderTest;
let shopA: TestShop;
let shopB: TestShop;

/** Merchant A's orders by what happened to them. */
const ids = {} as Record<
  'paid' | 'partial' | 'refunded' | 'failed' | 'retriedPaid' | 'retryAwaiting' | 'awaiting' | 'confirming' | 'lastOfMarch' | 'firstOfApril',
  string
>;
let otherMerchantOrder: string;

const newOrder = (shop: TestShop): Promise<OrderCreated> =>
  createOrder(db, { items: [{ productId: shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
const pay = async (o: OrderCreated, client = psp.client()) => (await confirmPayment(db, client, successRedirectSchema.parse(await psp.approve(o))));
const decline = (o: OrderCreated) => recordWindowFailure(db, psp.client(), { orderId: o.orderId, code: 'REJECT_CARD_COMPANY', message: 'declined' });
const refund = (merchantId: string, paymentId: string, amount?: number) =>
  requestRefund(db, psp.client(), { merchantId, paymentId, idempotencyKey: newId('rfd'), request: { amount, reason: 'test' }, requestedBy: 'test' });

const search = (input: Record<string, string> = {}, shop = shopA) => searchOrders(db, shop.merchantId, orderSearchSchema.parse(input));
const idsOf = (page: { rows: { orderId: string }[] }) => page.rows.map((r) => r.orderId).sort();

beforeAll(async () => {
  psp = await startSandbox(db);
  shopA = await createShop(db);
  shopB = await createShop(db);

  // Two orders placed long ago, on either side of a KST midnight (the same day in UTC).
  for (const [key, at] of [['lastOfMarch', '2024-03-31T23:59:59+09:00'], ['firstOfApril', '2024-04-01T00:00:00+09:00']] as const) {
    const o = await newOrder(shopA);
    // created_at comes from the database clock; the test moves it to pin the day boundary.
    await db.update(orders).set({ createdAt: new Date(at) }).where(eq(orders.id, o.orderId));
    ids[key] = o.orderId;
  }

  const paid = await newOrder(shopA);
  ids.paid = paid.orderId;
  await pay(paid);

  const partial = await newOrder(shopA);
  ids.partial = partial.orderId;
  expect((await refund(shopA.merchantId, (await pay(partial)).payment!.id, 1_000)).refund.status).toBe('SUCCEEDED');

  const refunded = await newOrder(shopA);
  ids.refunded = refunded.orderId;
  expect((await refund(shopA.merchantId, (await pay(refunded)).payment!.id)).refund.status).toBe('SUCCEEDED');

  const failed = await newOrder(shopA);
  ids.failed = failed.orderId;
  await decline(failed);

  // Declined, then paid with a second attempt: the live attempt speaks for the order.
  const retriedPaid = await newOrder(shopA);
  ids.retriedPaid = retriedPaid.orderId;
  await decline(retriedPaid);
  expect((await pay(retriedPaid)).status).toBe('PAID');

  // Declined, then the shopper opened the payment again: a fresh attempt awaits.
  const retryAwaiting = await newOrder(shopA);
  ids.retryAwaiting = retryAwaiting.orderId;
  await decline(retryAwaiting);
  await requestPayment(db, retryAwaiting.orderId);

  ids.awaiting = (await newOrder(shopA)).orderId;

  // The confirm's answer is lost: the payment is UNKNOWN, the order CONFIRMING.
  const confirming = await newOrder(shopA);
  ids.confirming = confirming.orderId;
  await psp.loseNextAnswer('confirm'); // approved at the PSP, the answer is lost
  expect((await pay(confirming, psp.client())).status).toBe('CONFIRMING');

  const b = await newOrder(shopB);
  otherMerchantOrder = b.orderId;
  await pay(b);
  await newOrder(shopB);
});

afterAll(async () => {
  await psp.close();
  await closeTestDatabase();
});

describe('order search', () => {
  it('without filters: every order of the merchant, newest first, none of another merchant', async () => {
    const all = await search();
    expect(all.total).toBe(10);
    expect(idsOf(all)).toEqual(Object.values(ids).sort());
    const times = all.rows.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(all.rows.at(-1)!.orderId).toBe(ids.lastOfMarch);
    expect(idsOf(await search({}, shopB))).not.toContain(ids.paid);
    expect((await search({}, shopB)).total).toBe(2);
  });

  it('status filter, computed in SQL, agrees with the status each order shows', async () => {
    const expected: Record<string, string[]> = {
      AWAITING_PAYMENT: [ids.awaiting, ids.retryAwaiting, ids.lastOfMarch, ids.firstOfApril],
      CONFIRMING: [ids.confirming],
      PAID: [ids.paid, ids.retriedPaid],
      PAYMENT_FAILED: [ids.failed],
      PARTIALLY_REFUNDED: [ids.partial],
      REFUNDED: [ids.refunded],
    };
    for (const [status, want] of Object.entries(expected)) {
      const page = await search({ status });
      expect(idsOf(page), status).toEqual([...want].sort());
      expect(page.total, status).toBe(want.length);
      expect(page.rows.map((r) => [r.status, r.paymentStatus]), status).toEqual(want.map(() => [status, expect.anything()]));
    }
    for (const row of (await search()).rows) {
      expect(row.status, row.orderId).toBe((await getOrderStatus(db, row.orderId)).status);
    }
  });

  it('order id: exact or prefix, never another merchant\'s, and _ is not a wildcard', async () => {
    expect(idsOf(await search({ q: ids.paid }))).toEqual([ids.paid]);
    const prefix = ids.partial.slice(0, 9); // "ord_" and five characters
    const byPrefix = await search({ q: prefix });
    expect(idsOf(byPrefix)).toContain(ids.partial);
    expect(byPrefix.rows.every((r) => r.orderId.startsWith(prefix))).toBe(true);
    expect((await search({ q: 'ord_' })).total).toBe(10);
    expect((await search({ q: 'or_' })).total).toBe(0);
    expect((await search({ q: otherMerchantOrder })).total).toBe(0);
    expect(idsOf(await search({ q: otherMerchantOrder }, shopB))).toEqual([otherMerchantOrder]);
  });

  it('created date range: KST days, both ends inclusive', async () => {
    expect(idsOf(await search({ from: '2024-04-01', to: '2024-04-01' }))).toEqual([ids.firstOfApril]);
    expect(idsOf(await search({ from: '2024-03-31', to: '2024-03-31' }))).toEqual([ids.lastOfMarch]);
    expect(idsOf(await search({ to: '2024-04-01' }))).toEqual([ids.lastOfMarch, ids.firstOfApril].sort());
    const today = kstDateOf(new Date());
    expect((await search({ from: today, to: today })).total).toBe(8);
    expect((await search({ from: '2024-04-02' })).total).toBe(8);
    expect((await search({ from: addDays(today, 1) })).total).toBe(0);
    expect(idsOf(await search({ status: 'AWAITING_PAYMENT', to: '2024-12-31' }))).toEqual([ids.lastOfMarch, ids.firstOfApril].sort());
  });

  it('pagination: pages of the same ordering, with the total and page count', async () => {
    const everything = (await search()).rows.map((r) => r.orderId);
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const p = await search({ pageSize: '3', page: String(page) });
      expect(p).toMatchObject({ page, pageSize: 3, total: 10, pageCount: 4 });
      expect(p.rows).toHaveLength(page < 4 ? 3 : 1);
      seen.push(...p.rows.map((r) => r.orderId));
    }
    expect(seen).toEqual(everything);
    expect(await search({ pageSize: '3', page: '5' })).toMatchObject({ rows: [], total: 10, pageCount: 4 });
    expect(await search({ status: 'AWAITING_PAYMENT', pageSize: '3', page: '2' })).toMatchObject({ total: 4, pageCount: 2, rows: [expect.anything()] });
    expect(await search({ q: 'nothing-like-this' })).toMatchObject({ rows: [], total: 0, pageCount: 1 });
  });

  it('bad filters are refused with a message saying what is wrong; blank ones mean no filter', () => {
    const bad = orderSearchSchema.safeParse({ status: 'SHIPPED', from: '2024-02-30', q: 'ord 1%', page: '0' });
    expect(bad.success).toBe(false);
    const message = describeIssues(bad.error!);
    expect(message).toContain('status: must be one of AWAITING_PAYMENT');
    expect(message).toContain('from: must be a real date');
    expect(message).toContain('q: an order id has only letters, digits');
    expect(message).toContain('page: must be 1 or more');
    expect(describeIssues(orderSearchSchema.safeParse({ from: '2024-04-02', to: '2024-04-01' }).error!)).toBe('to: must not be before "from"');
    expect(orderSearchSchema.parse({ q: ' ', status: '', from: '', to: '', page: '' })).toEqual({ page: 1, pageSize: 20 } satisfies OrderSearch);
  });
});

