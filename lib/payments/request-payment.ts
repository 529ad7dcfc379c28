import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { orders } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { openPaymentAttempt } from './open-payment-attempt';

export interface PaymentRequest {
  orderId: string;
  orderName: string;
  amount: number;
  currency: string;
}

/**
 * Request step: make sure the order has an attempt ready for the PSP's window (a fresh one after
 * a decline) and return what the window needs. The amount is the stored order's.
 */
export async function requestPayment(db: Db, orderId: string): Promise<PaymentRequest> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) throw notFound('The order');
  const attempt = await db.transaction((tx) =>
    openPaymentAttempt(tx, { orderId, merchantId: order.merchantId, amount: order.amount, currency: order.currency }, 'shopper-retry'),
  );
  if (attempt.status === 'SUCCESS') throw new AppError('ORDER_ALREADY_PAID', 'This order is already paid.');
  if (attempt.status !== 'NOT_STARTED') throw new AppError('PAYMENT_IN_PROGRESS', 'A payment for this order is being confirmed. Please wait a moment.');
  return { orderId, orderName: order.orderName, amount: Number(order.amount), currency: order.currency };
}
