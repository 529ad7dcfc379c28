import { createHash } from 'node:crypto';
import { z } from 'zod';
import { pg, type Db } from '@/db/client';
import { AppError } from '@/lib/errors';
import { newId } from '@/lib/ids';

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

interface CheckoutRow {
  missing: string[];
  merchants: number;
  currencies: number;
  amount: bigint | null;
  createdId: string | null;
  orderName: string | null;
  currency: string | null;
  existingId: string | null;
  existingHash: string | null;
  existingAmount: bigint | null;
  existingCurrency: string | null;
  existingName: string | null;
}

/**
 * Places an order. The amount comes from our product prices, never from the browser. The same
 * checkout key returns the same order: the database's unique (merchant, checkout key) decides,
 * not a read-then-write, so concurrent double clicks cannot make two orders.
 * One statement (one round trip): it prices the cart, checks it, and inserts the order, its
 * items, its first payment attempt and that attempt's CREATED history row, or nothing when the
 * cart is invalid or the checkout key had already placed an order.
 */
export async function createOrder(db: Db, req: CheckoutRequest): Promise<OrderCreated> {
  const requestHash = createHash('sha256')
    .update(JSON.stringify([...req.items].sort((a, b) => a.productId.localeCompare(b.productId))))
    .digest('hex');
  const sql = pg(db);
  const place = () => sql<CheckoutRow[]>`
    with line as (
      select i.ord, i.product_id, i.quantity, p.merchant_id, p.currency, p.price, p.name
      from unnest(${req.items.map((i) => i.productId)}::text[], ${req.items.map((i) => i.quantity)}::int[]) with ordinality as i(product_id, quantity, ord)
      left join products p on p.id = i.product_id
    ), cart as (
      select coalesce(array_agg(product_id order by ord) filter (where merchant_id is null), '{}') as missing,
             count(distinct merchant_id)::int as merchants, count(distinct currency)::int as currencies,
             min(merchant_id) as merchant_id, min(currency) as currency, sum(price * quantity)::bigint as amount,
             -- The name the PSP shows and prints on the statement: Korean shops write "A 외 2건".
             left(case when count(*) = 1 then (array_agg(name order by ord))[1]
                       else (array_agg(name order by ord))[1] || ' 외 ' || (count(*) - 1) || '건' end, 100) as order_name
      from line
    ), placed as (
      insert into orders (id, merchant_id, checkout_key, request_hash, order_name, amount, currency)
      select ${newId('ord')}, merchant_id, ${req.checkoutKey}, ${requestHash}, order_name, amount, currency from cart
      where cardinality(missing) = 0 and merchants = 1 and currencies = 1 and amount <= ${MAX_ORDER_AMOUNT.toString()}::bigint
      on conflict (merchant_id, checkout_key) do nothing
      returning id, merchant_id, amount, currency
    ), items as (
      insert into order_items (order_id, product_id, quantity, unit_price)
      select o.id, l.product_id, l.quantity, l.price from placed o cross join line l
    ), attempt as (
      insert into payments (id, order_id, merchant_id, amount, currency, status, confirm_idempotency_key)
      select ${newId('pay')}, id, merchant_id, amount, currency, 'NOT_STARTED', ${newId('cfm')} from placed
      returning id, amount, currency
    ), history as (
      insert into payment_history (payment_id, to_status, event, actor, detail)
      select id, 'NOT_STARTED', 'CREATED', 'checkout', jsonb_build_object('amount', amount, 'currency', currency) from attempt
    )
    select c.missing, c.merchants, c.currencies, c.amount, c.order_name as "orderName", c.currency,
           o.id as "createdId",
           e.id as "existingId", e.request_hash as "existingHash", e.amount as "existingAmount", e.currency as "existingCurrency", e.order_name as "existingName"
    from cart c
    left join placed o on true
    left join orders e on o.id is null and e.merchant_id = c.merchant_id and e.checkout_key = ${req.checkoutKey}`;

  // An order placed by a concurrent request with this key commits after our statement began:
  // the insert then does nothing and our snapshot cannot see it yet, so ask once more.
  for (let round = 0; round < 2; round++) {
    const [r] = await place();
    if (!r) throw new Error('checkout statement returned no row');
    if (r.missing.length) throw new AppError('UNKNOWN_PRODUCT', `Unknown product: ${r.missing.join(', ')}.`);
    if (r.merchants !== 1) throw new AppError('MIXED_MERCHANTS', 'All items of one order must come from one shop.');
    if (r.currencies !== 1) throw new AppError('MIXED_CURRENCIES', 'All items of one order must be priced in one currency.');
    if (r.amount! > MAX_ORDER_AMOUNT) throw new AppError('VALIDATION_FAILED', 'The order total is larger than a single payment may be.');
    if (r.createdId) return { orderId: r.createdId, amount: Number(r.amount), currency: r.currency!, orderName: r.orderName!, created: true };
    if (r.existingId) {
      if (r.existingHash !== requestHash) {
        throw new AppError('CHECKOUT_KEY_REUSED', 'This checkout key already placed an order with different items. Start a new checkout.');
      }
      return { orderId: r.existingId, amount: Number(r.existingAmount), currency: r.existingCurrency!, orderName: r.existingName!, created: false };
    }
  }
  throw new AppError('INTERNAL', 'order vanished after a checkout-key conflict');
}
