import type { Db } from '@/db/client';
import { AppError, notFound } from '@/lib/errors';
import { readOrder } from './get-order-status';
import { openPaymentAttempt } from './open-payment-attempt';

export interface PaymentRequest {
  orderId: string;
  orderName: string;
  amount: number;
  currency: string;
}

/**
 * Request step: make sure the order has an attempt ready for the PSP's window (a fresh one after
 * a decline) and return what the window needs. The amount is the stored order's. One round trip
 * when the attempt checkout opened is still there (the common case).
 */
export async function requestPayment(db: Db, orderId: string): Promise<PaymentRequest> {
  const found = await readOrder(db, orderId);
  if (!found) throw notFound('The order');
  const { order } = found;
  const attempt = found.attempts.find((p) => p.status !== 'FAILURE')
    ?? await openPaymentAttempt(db, { orderId, merchantId: order.merchantId, amount: order.amount, currency: order.currency }, 'shopper-retry');
  if (attempt.status === 'SUCCESS') {
    throw new AppError('ORDER_ALREADY_PAID', 'This order is already paid.');
  }
  if (attempt.status !== 'NOT_STARTED') throw new AppError('PAYMENT_IN_PROGRESS', 'A payment for this order is being confirmed. Please wait a moment.');
  return { orderId, orderName: order.orderName, amount: Number(order.amount), currency: order.currency };
}
