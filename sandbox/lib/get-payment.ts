import { and, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspPayments } from '../db/schema';
import { type Clock, systemClock } from './clock';
import { PspError } from './errors';
import { expireIfPastConfirmWindow } from './expire-payment';
import type { PspPaymentRow } from './payment-object';

/** `GET /v1/payments/{paymentKey}`. Another merchant's payment is NOT_FOUND_PAYMENT, like a missing one. */
export async function getPayment(db: DbOrTx, params: { mId: string; paymentKey: string }, now: Clock = systemClock): Promise<PspPaymentRow> {
  const [p] = await db.select().from(pspPayments)
    .where(and(eq(pspPayments.paymentKey, params.paymentKey), eq(pspPayments.mId, params.mId)));
  if (!p) throw new PspError('NOT_FOUND_PAYMENT');
  return expireIfPastConfirmWindow(db, p, now());
}

/**
 * `GET /v1/payments/orders/{orderId}`: the order's latest attempt. Toss does not document which
 * attempt it returns when an order has several (reference §10). An attempt that was paid wins
 * over later ones (there is at most one): a merchant asking "was this order paid?" must not be
 * shown a newer abandoned attempt instead.
 */
export async function getPaymentByOrderId(db: DbOrTx, params: { mId: string; orderId: string }, now: Clock = systemClock): Promise<PspPaymentRow> {
  const [p] = await db.select().from(pspPayments)
    .where(and(eq(pspPayments.mId, params.mId), eq(pspPayments.orderId, params.orderId)))
    .orderBy(
      desc(sql`${pspPayments.status} in ('WAITING_FOR_DEPOSIT', 'DONE', 'CANCELED', 'PARTIAL_CANCELED')`),
      desc(pspPayments.requestedAt),
      desc(pspPayments.paymentKey),
    )
    .limit(1);
  if (!p) throw new PspError('NOT_FOUND_PAYMENT');
  return expireIfPastConfirmWindow(db, p, now());
}
