import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspPayments } from '../db/schema';
import { enqueuePaymentWebhook } from './enqueue-webhook';
import type { PspPaymentRow } from './payment-object';

/** After authentication the merchant has 10 minutes to confirm (reference §1.1). */
export const CONFIRM_WINDOW_MS = 10 * 60 * 1000;

/** What Toss reports in `failure` for such a payment [observed]. */
export const EXPIRED_FAILURE = { code: 'EXPIRED_PAYMENT', message: '결제가 만료되었습니다. 다시 시도해주세요.' };

export function isPastConfirmWindow(p: Pick<PspPaymentRow, 'status' | 'authenticatedAt'>, at: Date): boolean {
  return p.status === 'IN_PROGRESS' && p.authenticatedAt !== null && at.getTime() - p.authenticatedAt.getTime() > CONFIRM_WINDOW_MS;
}

/**
 * Moves the payment from IN_PROGRESS to EXPIRED and queues its webhook, in one transaction
 * (a savepoint inside the caller's). Conditional on IN_PROGRESS, so it cannot undo a confirm that
 * won a race; returns the expired row, or undefined when the payment was no longer IN_PROGRESS.
 */
export async function markExpired(db: DbOrTx, paymentKey: string, at: Date): Promise<PspPaymentRow | undefined> {
  return db.transaction(async (tx) => {
    const [expired] = await tx.update(pspPayments)
      .set({ status: 'EXPIRED', failure: EXPIRED_FAILURE })
      .where(and(eq(pspPayments.paymentKey, paymentKey), eq(pspPayments.status, 'IN_PROGRESS')))
      .returning();
    if (expired) await enqueuePaymentWebhook(tx, expired, at);
    return expired;
  });
}

/**
 * Moves an authenticated payment whose confirm window has passed to EXPIRED. Toss does this on
 * its own schedule; the sandbox does it when the payment is next touched. Returns the row as it
 * now is.
 */
export async function expireIfPastConfirmWindow(db: DbOrTx, p: PspPaymentRow, at: Date): Promise<PspPaymentRow> {
  if (!isPastConfirmWindow(p, at)) return p;
  const expired = await markExpired(db, p.paymentKey, at);
  if (expired) return expired;
  const [current] = await db.select().from(pspPayments).where(eq(pspPayments.paymentKey, p.paymentKey));
  return current ?? p;
}
