import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders } from '@/db/schema';
import { newId } from '@/lib/ids';
import { checkoutRequestSchema, createOrder } from '@/lib/orders/create-order';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';
import { orderFacts } from '../helpers/ledger-counts';

const { db } = testDatabase();
let shop: TestShop;

beforeAll(async () => {
  shop = await createShop(db);
});
afterAll(closeTestDatabase);

describe('checkout (create order)', () => {
  it('computes the amount from our prices and opens one payment attempt', async () => {
    const order = await createOrder(db, { items: [{ productId: shop.productIds[0], quantity: 2 }, { productId: shop.productIds[2], quantity: 1 }], checkoutKey: newId('cfm') });
    expect(order.amount).toBe(Number(shop.prices[0] * 2n + shop.prices[2]));
    expect(order.orderName).toBe('Product 1 외 1건');
    expect(order.created).toBe(true);
    expect((await orderFacts(db, order.orderId)).statuses).toEqual(['NOT_STARTED']);
  });

  it('the same checkout key returns the same order, also when sent concurrently', async () => {
    const req = { items: [{ productId: shop.productIds[1], quantity: 1 }], checkoutKey: newId('cfm') };
    const results = await Promise.all(Array.from({ length: 8 }, () => createOrder(db, req)));
    expect(new Set(results.map((r) => r.orderId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const rows = await db.select().from(orders).where(eq(orders.checkoutKey, req.checkoutKey));
    expect(rows).toHaveLength(1);
    expect((await orderFacts(db, rows[0]!.id)).attempts).toHaveLength(1);
  });

  it('refuses a reused checkout key with a different cart', async () => {
    const checkoutKey = newId('cfm');
    await createOrder(db, { items: [{ productId: shop.productIds[1], quantity: 1 }], checkoutKey });
    await expect(createOrder(db, { items: [{ productId: shop.productIds[1], quantity: 2 }], checkoutKey })).rejects.toMatchObject({ code: 'CHECKOUT_KEY_REUSED' });
  });

  it('refuses unknown products and never trusts a price from the browser', async () => {
    await expect(createOrder(db, { items: [{ productId: 'prd_nope', quantity: 1 }], checkoutKey: newId('cfm') })).rejects.toMatchObject({ code: 'UNKNOWN_PRODUCT' });
    const withPrice = checkoutRequestSchema.safeParse({ items: [{ productId: shop.productIds[0], quantity: 1, price: 1 }], checkoutKey: newId('cfm') });
    expect(withPrice.success).toBe(false);
  });

  it('validates the request: empty cart, bad quantity, bad key, duplicate product', () => {
    const bad = [
      { items: [], checkoutKey: 'abcdefgh12' },
      { items: [{ productId: 'p', quantity: 0 }], checkoutKey: 'abcdefgh12' },
      { items: [{ productId: 'p', quantity: 1.5 }], checkoutKey: 'abcdefgh12' },
      { items: [{ productId: 'p', quantity: 1 }], checkoutKey: 'short' },
      { items: [{ productId: 'p', quantity: 1 }, { productId: 'p', quantity: 1 }], checkoutKey: 'abcdefgh12' },
    ];
    for (const body of bad) expect(checkoutRequestSchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });
});
