import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKey } from '@/lib/auth/api-keys';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';
import { startSandbox, type SandboxUnderTest } from '../helpers/psp';

/** The merchant API's GET routes, called as Next calls them, authenticated with API keys. */
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
let routes: { overview: Handler; orders: Handler; order: Handler; balances: Handler };

let psp: SandboxUnderTest;
let shopA: TestShop;
let shopB: TestShop;
let keyA: string;
let orderOfA: string;
let orderOfB: string;

async function get(handler: Handler, path: string, key: string | null, params: Record<string, string> = {}) {
  const res = await handler(
    new Request(`http://localhost${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} }),
    { params: Promise.resolve(params) },
  );
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  process.env.DATABASE_URL = inject('databaseUrl'); // the route modules connect through db()
  routes = {
    overview: (await import('@/app/api/merchant/overview/route')).GET as unknown as Handler,
    orders: (await import('@/app/api/merchant/orders/route')).GET as unknown as Handler,
    order: (await import('@/app/api/merchant/orders/[orderId]/route')).GET as unknown as Handler,
    balances: (await import('@/app/api/merchant/balances/route')).GET as unknown as Handler,
  };
  const { db } = testDatabase();
  psp = await startSandbox(db);
  shopA = await createShop(db);
  shopB = await createShop(db);
  keyA = (await createApiKey(db, shopA.merchantId, 'test', 'test')).key;
  const a = await createOrder(db, { items: [{ productId: shopA.productIds[0], quantity: 2 }], checkoutKey: newId('cfm') });
  orderOfA = a.orderId;
  expect((await confirmPayment(db, psp.client(), successRedirectSchema.parse(await psp.approve(a)))).status).toBe('PAID');
  orderOfB = (await createOrder(db, { items: [{ productId: shopB.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') })).orderId;
});

afterAll(async () => {
  await psp.close();
  await closeTestDatabase();
});

describe('merchant API', () => {
  it('anonymous requests get 401', async () => {
    const res = await get(routes.orders, '/api/merchant/orders', null);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('GET /api/merchant/orders lists the key\'s merchant\'s orders only; bad filters are a 400', async () => {
    const ok = await get(routes.orders, '/api/merchant/orders?status=PAID', keyA);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ page: 1, pageSize: 20, total: 1, pageCount: 1 });
    expect(ok.body.rows).toEqual([expect.objectContaining({ orderId: orderOfA, status: 'PAID', paymentStatus: 'SUCCESS', amount: 30_000, currency: 'KRW' })]);
    expect(JSON.stringify((await get(routes.orders, '/api/merchant/orders', keyA)).body)).not.toContain(orderOfB);

    const bad = await get(routes.orders, '/api/merchant/orders?status=SHIPPED&from=2024-13-01', keyA);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['from', 'status']);
  });

  it('GET /api/merchant/orders/:id: the merchant\'s own order; another merchant\'s looks exactly like a missing one', async () => {
    const own = await get(routes.order, `/api/merchant/orders/${orderOfA}`, keyA, { orderId: orderOfA });
    expect(own.status).toBe(200);
    expect(own.body.order).toMatchObject({ id: orderOfA, status: 'PAID', amount: 30_000 });
    expect(own.body.journals).toHaveLength(1);

    const others = await get(routes.order, `/api/merchant/orders/${orderOfB}`, keyA, { orderId: orderOfB });
    const missingId = newId('ord');
    const missing = await get(routes.order, `/api/merchant/orders/${missingId}`, keyA, { orderId: missingId });
    expect(others.status).toBe(404);
    expect(others.body).toEqual({ error: { code: 'NOT_FOUND', message: 'The order was not found.' } });
    expect(missing).toEqual(others);
  });

  it('GET /api/merchant/overview takes days=7|30|90 and answers JSON numbers', async () => {
    const week = await get(routes.overview, '/api/merchant/overview?days=7', keyA);
    expect(week.status).toBe(200);
    expect(week.body.series).toHaveLength(7);
    expect(week.body.approved).toEqual({ count: 1, amount: 30_000 });
    expect(week.body.approvalRate).toBe(1);
    expect((await get(routes.overview, '/api/merchant/overview', keyA)).body.series).toHaveLength(30);

    const bad = await get(routes.overview, '/api/merchant/overview?days=45', keyA);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'days: must be 7, 30 or 90' });
  });

  it('GET /api/merchant/balances: the accounts of the key\'s merchant, from journal lines', async () => {
    const res = await get(routes.balances, '/api/merchant/balances', keyA);
    expect(res.status).toBe(200);
    // 30,000 approved, fee 750 (2.5 %).
    expect(Object.fromEntries(res.body.balances.map((b: { code: string; balance: number }) => [b.code, b.balance]))).toEqual({
      PSP_RECEIVABLE: 30_000, MERCHANT_PAYABLE: -29_250, PLATFORM_REVENUE: -750,
    });
  });
});
