import { and, count, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { orders, payments } from '@/db/schema';
import { currentAttempt, orderStatusOf, type OrderStatus } from '@/lib/payments/get-order-status';

export interface OrderRow {
  orderId: string;
  orderName: string;
  amount: number;
  currency: string;
  status: OrderStatus;
  paymentStatus: string | null;
  createdAt: Date;
}

export interface Page<T> {
  rows: T[];
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

/** The merchant's orders, newest first. Always scoped by merchant. */
export async function listOrders(db: DbOrTx, merchantId: string, page: number, pageSize = 20): Promise<Page<OrderRow>> {
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(orders).where(eq(orders.merchantId, merchantId));
  const rows = await db.select().from(orders).where(eq(orders.merchantId, merchantId))
    .orderBy(desc(orders.createdAt), desc(orders.id)).limit(pageSize).offset((page - 1) * pageSize);
  const attempts = rows.length
    ? await db.select().from(payments).where(and(eq(payments.merchantId, merchantId), inArray(payments.orderId, rows.map((o) => o.id))))
    : [];
  return {
    rows: rows.map((o) => {
      const p = currentAttempt(attempts.filter((a) => a.orderId === o.id));
      return { orderId: o.id, orderName: o.orderName, amount: Number(o.amount), currency: o.currency, status: orderStatusOf(p), paymentStatus: p?.status ?? null, createdAt: o.createdAt };
    }),
    page,
    pageSize,
    total,
    pageCount: Math.max(1, Math.ceil(total / pageSize)),
  };
}
