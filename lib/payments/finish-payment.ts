import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { merchants, type PaymentStatus } from '@/db/schema';
import { enqueueEvent } from '@/lib/outbox/enqueue-event';
import { postJournal } from '@/lib/ledger/post-journal';
import { approvalLines, platformFee } from '@/lib/ledger/posting-rules';
import type { TossPayment } from '@/lib/psp/toss-client';
import { transitionPayment, type Payment } from './transition';

/**
 * The three ways a payment can end an attempt. Every path that learns a PSP outcome (the
 * success redirect, later the webhook and the recovery poller) finishes through these, so
 * whichever comes second finds the state already moved and does nothing.
 */

const UNFINISHED: PaymentStatus[] = ['EXECUTING', 'UNKNOWN'];

/** SUCCESS + approval journal + history + PaymentApproved, in one transaction. */
export async function approvePayment(db: Db, payment: Payment, psp: TossPayment, actor: string): Promise<Payment | null> {
  return db.transaction(async (tx) => {
    const approvedAt = psp.approvedAt ? new Date(psp.approvedAt) : new Date();
    const moved = await transitionPayment(tx, {
      paymentId: payment.id,
      from: UNFINISHED,
      to: 'SUCCESS',
      event: 'APPROVED',
      actor,
      set: { approvedAt, pspPaymentKey: psp.paymentKey },
      detail: { pspStatus: psp.status, lastTransactionKey: psp.lastTransactionKey ?? null, approvedAt: psp.approvedAt ?? null },
    });
    if (!moved) return null;
    const [merchant] = await tx.select({ feeBps: merchants.feeBps }).from(merchants).where(eq(merchants.id, moved.merchantId));
    const fee = platformFee(moved.amount, merchant!.feeBps);
    await postJournal(tx, {
      merchantId: moved.merchantId,
      kind: 'PAYMENT_APPROVAL',
      paymentId: moved.id,
      description: `Approval of ${moved.orderId}`,
      currency: moved.currency,
      lines: approvalLines(moved.amount, fee),
    });
    await enqueueEvent(tx, {
      type: 'PaymentApproved',
      merchantId: moved.merchantId,
      paymentId: moved.id,
      orderId: moved.orderId,
      amount: Number(moved.amount),
      currency: moved.currency,
      pspPaymentKey: psp.paymentKey,
      platformFee: Number(fee),
      approvedAt: approvedAt.toISOString(),
    });
    return moved;
  });
}

/** FAILURE + history + PaymentFailed; no journal, since no money moved. */
export async function failPayment(
  db: Db,
  payment: Payment,
  failure: { code: string; message: string },
  actor: string,
  from: PaymentStatus[] = ['NOT_STARTED', ...UNFINISHED],
): Promise<Payment | null> {
  return db.transaction(async (tx) => {
    const moved = await transitionPayment(tx, {
      paymentId: payment.id,
      from,
      to: 'FAILURE',
      event: 'DECLINED',
      actor,
      set: { failureCode: failure.code, failureMessage: failure.message },
      detail: failure,
    });
    if (!moved) return null;
    await enqueueEvent(tx, {
      type: 'PaymentFailed',
      merchantId: moved.merchantId,
      paymentId: moved.id,
      orderId: moved.orderId,
      amount: Number(moved.amount),
      currency: moved.currency,
      failureCode: failure.code,
      failureMessage: failure.message,
    });
    return moved;
  });
}

/** EXECUTING → UNKNOWN: we asked the PSP and did not learn the answer. Recovery resolves it. */
export async function markOutcomeUnknown(db: Db, payment: Payment, reason: string, actor: string): Promise<Payment | null> {
  return db.transaction((tx) =>
    transitionPayment(tx, {
      paymentId: payment.id,
      from: ['EXECUTING'],
      to: 'UNKNOWN',
      event: 'CONFIRM_OUTCOME_UNKNOWN',
      actor,
      detail: { reason },
    }),
  );
}
