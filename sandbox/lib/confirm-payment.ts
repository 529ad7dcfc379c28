import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspPayments } from '../db/schema';
import { type Clock, systemClock } from './clock';
import { isUniqueViolation } from '@/lib/db-errors';
import { PspError } from './errors';
import { enqueueDepositCallback, enqueuePaymentWebhook } from './enqueue-webhook';
import { isPastConfirmWindow, markExpired } from './expire-payment';
import { newApproveNo, newTransactionKey } from './keys';
import type { PspPaymentRow } from './payment-object';
import { recordTransaction } from './transactions';

export interface ConfirmPaymentParams {
  /** The merchant whose secret key authenticated the call: other merchants' payments do not exist for it. */
  mId: string;
  paymentKey: string;
  orderId: string;
  amount: number;
}

type Outcome =
  | { kind: 'approved'; payment: PspPaymentRow }
  | { kind: 'no-session' }
  | { kind: 'expired' }
  | { kind: 'already-processed' };

/**
 * Approves an authenticated payment (Toss's `POST /v1/payments/confirm`, reference §2). The row
 * is locked for the decision, so concurrent confirms of one paymentKey approve it once; the
 * others see it DONE and get ALREADY_PROCESSED_PAYMENT. A second attempt of an order that is
 * already paid is refused by the unique index `psp_payments_one_paid_per_order`.
 * Throws PspError for every refusal.
 */
export async function confirmPayment(db: DbOrTx, params: ConfirmPaymentParams, now: Clock = systemClock): Promise<PspPaymentRow> {
  const at = now();
  let outcome: Outcome;
  try {
    outcome = await db.transaction(async (tx): Promise<Outcome> => {
      const [p] = await tx.select().from(pspPayments)
        .where(and(eq(pspPayments.paymentKey, params.paymentKey), eq(pspPayments.mId, params.mId)))
        .for('update');
      // Toss binds orderId and amount to the paymentKey at authentication. NOT_FOUND_PAYMENT_SESSION
      // for a different orderId is reported by a third party; the code Toss answers for a different
      // amount is unconfirmed (reference §2, §10): we answer the same, since either way the session
      // the caller describes does not exist.
      if (!p || p.orderId !== params.orderId || p.amount !== params.amount) return { kind: 'no-session' };
      if (p.status === 'WAITING_FOR_DEPOSIT' || p.status === 'DONE' || p.status === 'CANCELED' || p.status === 'PARTIAL_CANCELED') return { kind: 'already-processed' };
      if (isPastConfirmWindow(p, at)) {
        // Committed even though the call fails: the payment really is expired now.
        await markExpired(tx, p.paymentKey, at);
        return { kind: 'expired' };
      }
      // READY (never authenticated), ABORTED and EXPIRED have no session to approve.
      if (p.status !== 'IN_PROGRESS') return { kind: 'no-session' };
      if (p.method === 'VIRTUAL_ACCOUNT') {
        // A virtual account is not paid by confirm: it waits for the buyer's deposit (reference §2).
        // No money moved, so no settlement transaction; the deposit will record one.
        const [waiting] = await tx.update(pspPayments)
          .set({ status: 'WAITING_FOR_DEPOSIT' })
          .where(eq(pspPayments.paymentKey, p.paymentKey))
          .returning();
        if (!waiting) throw new Error(`payment ${p.paymentKey} vanished while locked`);
        await enqueueDepositCallback(tx, waiting, at);
        return { kind: 'approved', payment: waiting };
      }
      const transactionKey = newTransactionKey();
      const [approved] = await tx.update(pspPayments)
        .set({ status: 'DONE', approvedAt: at, approveNo: newApproveNo(), lastTransactionKey: transactionKey })
        .where(eq(pspPayments.paymentKey, p.paymentKey))
        .returning();
      if (!approved) throw new Error(`payment ${p.paymentKey} vanished while locked`);
      await recordTransaction(tx, { transactionKey, paymentKey: p.paymentKey, mId: p.mId, kind: 'APPROVAL', amount: p.amount, at });
      await enqueuePaymentWebhook(tx, approved, at);
      return { kind: 'approved', payment: approved };
    });
  } catch (err) {
    if (isUniqueViolation(err, 'psp_payments_one_paid_per_order')) throw new PspError('DUPLICATED_ORDER_ID');
    throw err;
  }
  switch (outcome.kind) {
    case 'approved':
      return outcome.payment;
    case 'already-processed':
      throw new PspError('ALREADY_PROCESSED_PAYMENT');
    case 'expired':
    case 'no-session':
      throw new PspError('NOT_FOUND_PAYMENT_SESSION');
  }
}
