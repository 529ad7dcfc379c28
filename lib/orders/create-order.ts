import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { orderItems, orders, products } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { newId } from '@/lib/ids';
import { openPaymentAttempt } from '@/lib/payments/open-payment-attempt';

export const checkoutRequestSchema = z.strictObject({
  items: z.array(z.strictObject({
    productId: z.string().min(1).max(64),
    quantity: z.number().int().min(1).max(99),
  })).min(1, 'the cart is empty').max(50)
    .refine((items) => new Set(items.map((i) => i.productId)).size === items.length, 'list each product once and use quantity'),
  /** Chosen by the shopper's browser once per cart; a repeated submit sends the same key. */
  checkoutKey: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8–128 letters, digits, - or _'),
});
export type CheckoutRequest = z.infer<typeof checkoutRequestSchema>;

export interface OrderCreated {
  orderId: string;
  amount: number;
  currency: string;
  orderName: string;
  /** false when this checkout key had already placed the order (a double click, a retry). */
  created: boolean;
}

/** Well below 2^53 so amounts stay exact in JSON numbers; far above any real cart. */
const MAX_ORDER_AMOUNT = 10_000_000_000n;

/**
 * Places an order. The amount comes from our product prices, never from the browser. The same
 * checkout key returns the same order: the database's unique (merchant, checkout key) decides,
 * not a read-then-write, so concurrent double clicks cannot make two orders.
 */
export async function createOrder(db: Db, req: CheckoutRequest): Promise<OrderCreated> {
  const ids = req.items.map((i) => i.productId);
  const found = await db.select().from(products).where(inArray(products.id, ids));
  const byId = new Map(found.map((p) => [p.id, p]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) throw new AppError('UNKNOWN_PRODUCT', `Unknown product: ${missing.join(', ')}.`);
  const lines = req.items.map((i) => ({ ...i, product: byId.get(i.productId)! }));
  const merchantId = lines[0]!.product.merchantId;
  const currency = lines[0]!.product.currency;
  if (lines.some((l) => l.product.merchantId !== merchantId)) throw new AppError('MIXED_MERCHANTS', 'All items of one order must come from one shop.');
  if (lines.some((l) => l.product.currency !== currency)) throw new AppError('MIXED_CURRENCIES', 'All items of one order must be priced in one currency.');
  const amount = lines.reduce((sum, l) => sum + l.product.price * BigInt(l.quantity), 0n);
  if (amount > MAX_ORDER_AMOUNT) throw new AppError('VALIDATION_FAILED', 'The order total is larger than a single payment may be.');
  const first = lines[0]!.product.name;
  const orderName = (lines.length === 1 ? first : `${first} and ${lines.length - 1} more`).slice(0, 100);
  const requestHash = createHash('sha256')
    .update(JSON.stringify([...req.items].sort((a, b) => a.productId.localeCompare(b.productId))))
    .digest('hex');

  return db.transaction(async (tx) => {
    const orderId = newId('ord');
    const [inserted] = await tx.insert(orders)
      .values({ id: orderId, merchantId, checkoutKey: req.checkoutKey, requestHash, orderName, amount, currency })
      .onConflictDoNothing({ target: [orders.merchantId, orders.checkoutKey] })
      .returning({ id: orders.id });
    if (inserted) {
      await tx.insert(orderItems).values(lines.map((l) => ({ orderId, productId: l.productId, quantity: l.quantity, unitPrice: l.product.price })));
      await openPaymentAttempt(tx, { orderId, merchantId, amount, currency }, 'checkout');
      return { orderId, amount: Number(amount), currency, orderName, created: true };
    }
    const [existing] = await tx.select().from(orders).where(and(eq(orders.merchantId, merchantId), eq(orders.checkoutKey, req.checkoutKey)));
    if (!existing) throw new AppError('INTERNAL', 'order vanished after a checkout-key conflict');
    if (existing.requestHash !== requestHash) {
      throw new AppError('CHECKOUT_KEY_REUSED', 'This checkout key already placed an order with different items. Start a new checkout.');
    }
    return { orderId: existing.id, amount: Number(existing.amount), currency: existing.currency, orderName: existing.orderName, created: false };
  });
}
