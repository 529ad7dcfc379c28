import { eq, inArray, sql, and } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { payments, refunds } from '@/db/schema';
import { enqueueEvent } from '@/lib/outbox/enqueue-event';
import { postJournal } from '@/lib/ledger/post-journal';
import { refundLines } from '@/lib/ledger/posting-rules';
import { log } from '@/lib/log';
import type { TossClient } from '@/lib/psp/toss-client';
import { transitionPayment } from '@/lib/payments/state-machine';
import { env } from '@/lib/env';
import { openRefundAccount } from './refund-account';

export type Refund = typeof refunds.$inferSelect;
export interface RefundView {
  id: string;
  paymentId: string;
  amount: number;
  currency: string;
  reason: string;
  status: Refund['status'];
  failure: { code: string; message: string } | null;
  /** Virtual accounts: where the money goes, masked. */
  refundAccount: string | null;
  createdAt: Date;
}

export const refundView = (r: Refund): RefundView => ({
  id: r.id, paymentId: r.paymentId, amount: Number(r.amount), currency: r.currency, reason: r.reason, status: r.status,
  failure: r.failureCode ? { code: r.failureCode, message: r.failureMessage ?? '' } : null, refundAccount: r.refundAccountMasked, createdAt: r.createdAt,
});

/** Codes after which the cancel certainly did not happen (reference §4.4). */
const DEFINITELY_NOT_CANCELLED = new Set([
  'NOT_CANCELABLE_AMOUNT', 'NOT_CANCELABLE_PAYMENT', 'ALREADY_CANCELED_PAYMENT', 'ALREADY_REFUND_PAYMENT', 'EXCEED_MAX_REFUND_DUE',
  'NOT_ALLOWED_PARTIAL_REFUND', 'NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT', 'NOT_MATCHES_REFUNDABLE_AMOUNT', 'INVALID_REQUEST',
  'REFUND_REJECTED', 'EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT', 'NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER', 'EXCEED_CANCEL_LIMIT',
  'INVALID_REFUND_ACCOUNT_INFO', 'INVALID_REFUND_ACCOUNT_NUMBER', 'INVALID_BANK', 'FORBIDDEN_BANK_REFUND_REQUEST',
]);

/**
 * Calls the PSP's cancel for a reserved refund (the first time, or again from recovery with
 * the same Idempotency-Key) and books the outcome. Success: the refund, the payment's refunded
 * amount and state, the reversing journal, the history row and PaymentRefunded commit together.
 */
export async function executeRefund(db: Db, psp: TossClient, refund: Refund, actor: string): Promise<RefundView> {
  const [payment] = await db.select().from(payments).where(eq(payments.id, refund.paymentId));
  const result = await psp.cancel(payment!.pspPaymentKey!, {
    cancelAmount: Number(refund.amount),
    cancelReason: refund.reason,
    idempotencyKey: refund.pspIdempotencyKey,
    // Decrypted only for the call; every retry (recovery) sends the same account.
    refundReceiveAccount: refund.refundAccountSealed ? openRefundAccount(env().REFUND_ACCOUNT_KEY, refund.id, refund.refundAccountSealed) : undefined,
  });
  if (result.kind === 'ok') {
    const cancel = result.value.cancels?.at(-1);
    return refundView(await bookRefund(db, refund, cancel?.transactionKey ?? null, actor));
  }
  if (result.kind === 'error' && DEFINITELY_NOT_CANCELLED.has(result.code)) {
    const [failed] = await db.update(refunds)
      .set({ status: 'FAILED', failureCode: result.code, failureMessage: result.message, attempts: sql`${refunds.attempts} + 1`, updatedAt: sql`now()` })
      .where(and(eq(refunds.id, refund.id), inArray(refunds.status, ['PENDING', 'UNKNOWN'])))
      .returning();
    return refundView(failed ?? (await reload(db, refund.id)));
  }
  const reason = result.kind === 'error' ? `${result.httpStatus} ${result.code}: ${result.message}` : result.reason;
  log.warn({ refundId: refund.id, reason }, 'refund outcome unknown; recovery will retry with the same key');
  // No time of our own for the next try: recovery's grace (counted from updatedAt) decides the
  // first retry and its backoff the later ones, so the recovery policy is the one place for both.
  const [unknown] = await db.update(refunds)
    .set({ status: 'UNKNOWN', failureCode: null, failureMessage: reason.slice(0, 500), attempts: sql`${refunds.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(refunds.id, refund.id), inArray(refunds.status, ['PENDING', 'UNKNOWN'])))
    .returning();
  return refundView(unknown ?? (await reload(db, refund.id)));
}

async function reload(db: DbOrTx, id: string): Promise<Refund> {
  const [r] = await db.select().from(refunds).where(eq(refunds.id, id));
  return r!;
}

async function bookRefund(db: Db, refund: Refund, pspTransactionKey: string | null, actor: string): Promise<Refund> {
  return db.transaction(async (tx) => {
    // Lock order: the payment, then its refund, as the reservation in request-refund does. The
    // other order deadlocked with a same-key reservation whose unique check waits on the refund row.
    const [locked] = await tx.select({ amount: payments.amount, refundedAmount: payments.refundedAmount }).from(payments)
      .where(eq(payments.id, refund.paymentId)).for('update');
    const [done] = await tx.update(refunds)
      .set({ status: 'SUCCEEDED', pspTransactionKey, attempts: sql`${refunds.attempts} + 1`, failureMessage: null, updatedAt: sql`now()` })
      .where(and(eq(refunds.id, refund.id), inArray(refunds.status, ['PENDING', 'UNKNOWN'])))
      .returning();
    // Booked already by a concurrent retry. Read it on this transaction's connection: a second
    // pooled connection can wait forever while the pool is full of requests queued on our lock.
    if (!done) return reload(tx, refund.id);
    if (!locked) throw new Error(`payment ${done.paymentId} vanished while booking refund ${done.id}`);
    const refundedTotal = locked.refundedAmount + done.amount;
    // Through the state machine like every move; the database check keeps refunded <= amount.
    const paid = await transitionPayment(tx, {
      paymentId: done.paymentId,
      event: 'REFUNDED',
      to: refundedTotal === locked.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
      actor,
      set: { refundedAdd: done.amount },
      detail: { refundId: done.id, amount: Number(done.amount), refundedTotal: Number(refundedTotal), pspTransactionKey },
    });
    if (!paid) throw new Error(`payment ${done.paymentId} is not refundable while booking refund ${done.id}`);
    await postJournal(tx, {
      merchantId: done.merchantId, kind: 'REFUND', paymentId: paid.id, externalRef: done.id,
      description: `Refund ${done.id} of ${paid.orderId}`, currency: done.currency, lines: refundLines(done.amount),
    });
    await enqueueEvent(tx, {
      type: 'PaymentRefunded', merchantId: done.merchantId, paymentId: paid.id, orderId: paid.orderId,
      amount: Number(done.amount), currency: done.currency, refundId: done.id,
      refundedTotal: Number(paid.refundedAmount), fullyRefunded: paid.status === 'REFUNDED',
    });
    return done;
  });
}
