import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { pspPayments } from '@/db/schema';
import type { PspPaymentRow } from './payment-object';

/** After authentication the merchant has 10 minutes to confirm (reference §1.1). */
export const CONFIRM_WINDOW_MS = 10 * 60 * 1000;

/** What Toss reports in `failure` for such a payment [observed]. */
export const EXPIRED_FAILURE = { code: 'EXPIRED_PAYMENT', message: '결제가 만료되었습니다. 다시 시도해주세요.' };

export function isPastConfirmWindow(p: Pick<PspPaymentRow, 'status' | 'authenticatedAt'>, at: Date): boolean {
  return p.status === 'IN_PROGRESS' && p.authenticatedAt !== null && at.getTime() - p.authenticatedAt.getTime() > CONFIRM_WINDOW_MS;
}

/**
 * Moves an authenticated payment whose confirm window has passed to EXPIRED. Toss does this on
 * its own schedule; the sandbox does it when the payment is next touched. The update is
 * conditional on IN_PROGRESS, so it cannot undo a confirm that won a race. Returns the row as
 * it now is.
 */
export async function expireIfPastConfirmWindow(db: DbOrTx, p: PspPaymentRow, at: Date): Promise<PspPaymentRow> {
  if (!isPastConfirmWindow(p, at)) return p;
  const [expired] = await db.update(pspPayments)
    .set({ status: 'EXPIRED', failure: EXPIRED_FAILURE })
    .where(and(eq(pspPayments.paymentKey, p.paymentKey), eq(pspPayments.status, 'IN_PROGRESS')))
    .returning();
  if (expired) return expired;
  const [current] = await db.select().from(pspPayments).where(eq(pspPayments.paymentKey, p.paymentKey));
  return current ?? p;
}
