import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { payments } from '@/db/schema';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';

const { db } = testDatabase();
let shop: TestShop;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const checkout = async (body: unknown) => {
  const { POST } = await import('@/app/api/checkout/route');
  return (POST as Handler)(new Request('http://shop.test/api/checkout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), { params: Promise.resolve({}) });
};
const paymentRequest = async (orderId: string) => {
  const { POST } = await import('@/app/api/orders/[orderId]/payment-request/route');
  return (POST as Handler)(new Request(`http://shop.test/api/orders/${orderId}/payment-request`, { method: 'POST' }), { params: Promise.resolve({ orderId }) });
};

beforeAll(async () => {
  shop = await createShop(db);
  process.env.DATABASE_URL = inject('databaseUrl');
  process.env.TOSS_WINDOW_URL = 'http://psp.test:3001/window';
  process.env.TOSS_CLIENT_KEY = 'test_ck_checkout_window';
});
afterAll(closeTestDatabase);

describe('POST /api/checkout answers with the window parameters (the payment request folded in)', () => {
  it('a new order: 201 with payment { clientKey, windowUrl } and its attempt ready for the window', async () => {
    const res = await checkout({ items: [{ productId: shop.productIds[0], quantity: 2 }], checkoutKey: `k_${Date.now()}_a` });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ orderId: expect.any(String), amount: expect.any(Number), currency: 'KRW', orderName: expect.any(String) });
    expect(body.payment).toEqual({ clientKey: 'test_ck_checkout_window', windowUrl: 'http://psp.test:3001/window' });
    const attempts = await db.select().from(payments).where(eq(payments.orderId, body.orderId));
    expect(attempts.map((p) => p.status)).toEqual(['NOT_STARTED']);
  });

  it('the same checkout key again: 200 with the order only; payment-request still answers as before', async () => {
    const key = `k_${Date.now()}_b`;
    const first = await (await checkout({ items: [{ productId: shop.productIds[0], quantity: 1 }], checkoutKey: key })).json();
    const again = await checkout({ items: [{ productId: shop.productIds[0], quantity: 1 }], checkoutKey: key });
    expect(again.status).toBe(200);
    const body = await again.json();
    expect(body.orderId).toBe(first.orderId);
    expect(body.payment).toBeUndefined();
    const requested = await paymentRequest(first.orderId);
    expect(requested.status).toBe(200);
    expect(await requested.json()).toMatchObject({ orderId: first.orderId, clientKey: 'test_ck_checkout_window', windowUrl: 'http://psp.test:3001/window' });
  });
});
