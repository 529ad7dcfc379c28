import 'server-only';
import { and, count, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { orders, paymentStatus, type PaymentStatus, type PayMethod } from '@/db/schema';
import { orderStatusOf, type OrderStatus } from '@/lib/payments/get-order-status';
import { addDays, kstStartOf } from '@/lib/kst';
import type { Page } from './page';
import type { OrderSearch } from './order-search-params';

/** One row of the orders list, as JSON (the page prefetch and the API answer the same shape). */
export interface OrderListRow {
  orderId: string;
  orderName: string;
  amount: number;
  currency: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus | null;
  /** How the current attempt was paid; null until the PSP said. */
  method: PayMethod | null;
  /** ISO 8601 instant: a virtual account's due date, while the order awaits its deposit. */
  depositDueAt: string | null;
  /** ISO 8601 instant. */
  createdAt: string;
}

/**
 * The status of the attempt that speaks for the order, as `currentAttempt` picks it: the live
 * (non-FAILURE) attempt if there is one (at most one, by a unique index), else the latest failed.
 * The outer columns are written out qualified: in a select list Drizzle renders `${orders.id}`
 * as a bare "id", which inside this subquery would mean p.id.
 */
const currentAttemptStatus = sql<PaymentStatus | null>`(
  select p.status from payments p
  where p.order_id = "orders"."id" and p.merchant_id = "orders"."merchant_id"
  order by (p.status = 'FAILURE'), p.created_at desc
  limit 1)`;

/** The same attempt's method and, for a virtual account, its due date. */
const currentAttemptMethod = sql<PayMethod | null>`(
  select p.method from payments p
  where p.order_id = "orders"."id" and p.merchant_id = "orders"."merchant_id"
  order by (p.status = 'FAILURE'), p.created_at desc
  limit 1)`;
const currentAttemptDueAt = sql<string | null>`(
  select va.due_at::text from payments p join virtual_accounts va on va.payment_id = p.id
  where p.order_id = "orders"."id" and p.merchant_id = "orders"."merchant_id" and p.status = 'AWAITING_DEPOSIT'
  limit 1)`;

/**
 * The payment statuses whose order shows `status`, derived from `orderStatusOf` itself so the SQL
 * filter can never disagree with the status a row displays. No attempt at all counts as
 * NOT_STARTED (awaiting payment).
 */
function paymentStatusesShowing(status: OrderStatus): PaymentStatus[] {
  return paymentStatus.enumValues.filter((s) => orderStatusOf({ status: s }) === status);
}

/** The merchant's orders matching the search, newest first, one page of them with the total. */
export async function searchOrders(db: DbOrTx, merchantId: string, search: OrderSearch): Promise<Page<OrderListRow>> {
  const conditions: (SQL | undefined)[] = [eq(orders.merchantId, merchantId)];
  if (search.q) conditions.push(sql`starts_with(${orders.id}, ${search.q})`);
  if (search.from) conditions.push(gte(orders.createdAt, kstStartOf(search.from)));
  if (search.to) conditions.push(lt(orders.createdAt, kstStartOf(addDays(search.to, 1))));
  if (search.status) {
    conditions.push(inArray(sql`coalesce(${currentAttemptStatus}, 'NOT_STARTED')`, paymentStatusesShowing(search.status)));
  }
  if (search.method) conditions.push(sql`${currentAttemptMethod} = ${search.method}::pay_method`);
  const where = and(...conditions);

  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(orders).where(where);
  const rows = await db.select({
    id: orders.id,
    orderName: orders.orderName,
    amount: orders.amount,
    currency: orders.currency,
    createdAt: orders.createdAt,
    attemptStatus: currentAttemptStatus,
    method: currentAttemptMethod,
    depositDueAt: currentAttemptDueAt,
  })
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(search.pageSize)
    .offset((search.page - 1) * search.pageSize);

  return {
    rows: rows.map((o) => ({
      orderId: o.id,
      orderName: o.orderName,
      amount: Number(o.amount),
      currency: o.currency,
      status: orderStatusOf(o.attemptStatus ? { status: o.attemptStatus } : undefined),
      paymentStatus: o.attemptStatus,
      method: o.method,
      depositDueAt: o.depositDueAt ? new Date(o.depositDueAt).toISOString() : null,
      createdAt: o.createdAt.toISOString(),
    })),
    page: search.page,
    pageSize: search.pageSize,
    total,
    pageCount: Math.max(1, Math.ceil(total / search.pageSize)),
  };
}
