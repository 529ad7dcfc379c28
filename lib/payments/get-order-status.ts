import { desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { orders, payments, type PaymentStatus } from '@/db/schema';
import { notFound } from '@/lib/errors';

/** What the shopper is told about an order; derived from its payment attempts, never stored. */
export type OrderStatus = 'AWAITING_PAYMENT' | 'CONFIRMING' | 'PAID' | 'PAYMENT_FAILED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';

export interface OrderStatusView {
  orderId: string;
  status: OrderStatus;
  amount: number;
  currency: string;
  orderName: string;
  payment: { id: string; status: PaymentStatus; paymentKey: string | null; failure: { code: string; message: string } | null } | null;
}

export function orderStatusOf(payment: { status: PaymentStatus } | undefined): OrderStatus {
  switch (payment?.status) {
    case 'SUCCESS': return 'PAID';
    case 'PARTIALLY_REFUNDED': return 'PARTIALLY_REFUNDED';
    case 'REFUNDED': return 'REFUNDED';
    case 'EXECUTING':
    case 'UNKNOWN': return 'CONFIRMING';
    case 'FAILURE': return 'PAYMENT_FAILED';
    default: return 'AWAITING_PAYMENT';
  }
}

/** The attempt that speaks for the order: the live one if any, else the latest failed one. */
export function currentAttempt<P extends { status: PaymentStatus; createdAt: Date }>(attempts: P[]): P | undefined {
  return attempts.find((p) => p.status !== 'FAILURE') ?? [...attempts].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

export async function getOrderStatus(db: DbOrTx, orderId: string): Promise<OrderStatusView> {
  // One round trip: the order with its attempts (this answers every step of the pay flow).
  const rows = await db.select({ order: orders, attempt: payments }).from(orders)
    .leftJoin(payments, eq(payments.orderId, orders.id))
    .where(eq(orders.id, orderId))
    .orderBy(desc(payments.createdAt));
  const order = rows[0]?.order;
  if (!order) throw notFound('The order');
  const p = currentAttempt(rows.flatMap((r) => (r.attempt ? [r.attempt] : [])));
  return {
    orderId: order.id,
    status: orderStatusOf(p),
    amount: Number(order.amount),
    currency: order.currency,
    orderName: order.orderName,
    payment: p
      ? {
          id: p.id,
          status: p.status,
          paymentKey: p.pspPaymentKey,
          failure: p.failureCode ? { code: p.failureCode, message: p.failureMessage ?? '' } : null,
        }
      : null,
  };
}
