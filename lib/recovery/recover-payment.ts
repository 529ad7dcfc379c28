import { and, eq, inArray, lte, isNull, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { payments } from '@/db/schema';
import { failPayment } from '@/lib/payments/finish-payment';
import { adoptPspPayment, finishWithPsp } from '@/lib/payments/finish-with-psp';
import { transitionPayment, type Payment } from '@/lib/payments/state-machine';
import type { TossClient } from '@/lib/psp/toss-client';
import { databaseAgo, databaseNow, type SimulatedNow } from './database-clock';
import type { RecoveryPolicy } from './recovery-policy';

export type RecoveryOutcome = 'finished' | 'retry-later' | 'needs-attention' | 'moved-on';

/**
 * Claims unfinished payments whose next try is due: bumps their attempt count and next try time
 * in one statement (SKIP LOCKED, so several recovery workers never take the same payment).
 */
export async function claimDuePayments(db: Db, policy: RecoveryPolicy, limit: number, at?: SimulatedNow): Promise<Payment[]> {
  const due = db.$with('due').as(
    db.select({ id: payments.id }).from(payments)
      .where(and(
        inArray(payments.status, ['EXECUTING', 'UNKNOWN']),
        isNull(payments.needsAttention),
        lte(payments.updatedAt, databaseAgo(policy.graceMs, at)),
        or(isNull(payments.nextRecoveryAt), lte(payments.nextRecoveryAt, databaseNow(at))),
      ))
      .orderBy(payments.updatedAt)
      .limit(limit)
      .for('update', { skipLocked: true }),
  );
  const delay = sql`least(${policy.baseDelayMs}::bigint * power(2, ${payments.recoveryAttempts})::bigint, ${policy.maxDelayMs}::bigint) * interval '1 millisecond'`;
  return db.with(due).update(payments)
    .set({ recoveryAttempts: sql`${payments.recoveryAttempts} + 1`, nextRecoveryAt: sql`${databaseNow(at)} + ${delay}` })
    .from(due)
    .where(eq(payments.id, due.id))
    .returning();
}

/**
 * Finishes one unfinished payment by asking the PSP, through the same functions the success
 * redirect uses (so a race with a late redirect or a webhook moves the payment once):
 *  - PSP says DONE (amount and order match) → SUCCESS with its journal and event;
 *  - WAITING_FOR_DEPOSIT (a virtual account was issued) → AWAITING_DEPOSIT with its account;
 *  - ABORTED / EXPIRED → FAILURE;
 *  - IN_PROGRESS inside the confirm window → confirm again with the payment's own key;
 *  - no answer → try later; after `maxAttempts` → flagged for a person.
 */
export async function recoverPayment(db: Db, psp: TossClient, payment: Payment, policy: RecoveryPolicy, at?: SimulatedNow): Promise<RecoveryOutcome> {
  const lookup = payment.pspPaymentKey ? await psp.getPayment(payment.pspPaymentKey) : await psp.getPaymentByOrderId(payment.orderId);
  if (lookup.kind === 'ok') {
    const p = lookup.value;
    if (p.status === 'IN_PROGRESS') {
      // Authenticated, never confirmed: confirm now with the same key (the PSP refuses it if
      // its 10-minute window has passed, which ends the payment as FAILURE).
      await finishWithPsp(db, psp, payment, 'recovery');
      return settled(db, payment.id, policy);
    }
    if (p.status === 'DONE' || p.status === 'WAITING_FOR_DEPOSIT' || p.status === 'ABORTED' || p.status === 'EXPIRED') {
      await adoptPspPayment(db, payment, p, 'recovery');
      return settled(db, payment.id, policy);
    }
    if (p.status === 'CANCELED' || p.status === 'PARTIAL_CANCELED') {
      // Approved and then cancelled outside our system: never guess the books, ask a person.
      await flagForAttention(db, payment, `PSP says ${p.status} for a payment we never finished`);
      return 'needs-attention';
    }
  } else if (lookup.kind === 'error' && (lookup.code === 'NOT_FOUND_PAYMENT' || lookup.code === 'NOT_FOUND') && await confirmWindowOver(db, payment.id, policy, at)) {
    // The PSP has no such payment and its window is long over: nothing was charged.
    await failPayment(db, payment, { code: 'NOT_FOUND_AT_PSP', message: 'The PSP has no record of this payment.' }, 'recovery', ['EXECUTING', 'UNKNOWN']);
    return 'finished';
  }
  return settled(db, payment.id, policy);
}

/** By the database's clock: the payment was created longer ago than the PSP's confirm window. */
async function confirmWindowOver(db: Db, paymentId: string, policy: RecoveryPolicy, at: SimulatedNow): Promise<boolean> {
  const [old] = await db.select({ id: payments.id }).from(payments)
    .where(and(eq(payments.id, paymentId), sql`${payments.createdAt} < ${databaseAgo(policy.confirmWindowMs, at)}`));
  return Boolean(old);
}

async function settled(db: Db, paymentId: string, policy: RecoveryPolicy): Promise<RecoveryOutcome> {
  const [p] = await db.select().from(payments).where(eq(payments.id, paymentId));
  if (!p) return 'moved-on';
  if (p.status !== 'EXECUTING' && p.status !== 'UNKNOWN') return 'finished';
  if (p.recoveryAttempts >= policy.maxAttempts) {
    await flagForAttention(db, p, `recovery gave up after ${p.recoveryAttempts} tries`);
    return 'needs-attention';
  }
  return 'retry-later';
}

/** Flags a payment for a person, once (a flag is an event of the state machine without a move).
 *  Takes a transaction too, so a caller can flag inside the one that read the disagreement. */
export async function flagForAttention(db: DbOrTx, payment: Payment, reason: string, actor = 'recovery'): Promise<void> {
  await transitionPayment(db, { paymentId: payment.id, event: 'NEEDS_ATTENTION', actor, set: { needsAttention: reason }, detail: { reason } });
}
