import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import type { Db } from '@/db/client';
import type { PaymentStatus } from '@/db/schema';
import { pgErrorCode } from '@/lib/db-errors';
import { newId } from '@/lib/ids';
import { ensureAccounts } from '@/lib/ledger/post-journal';
import { approvalLines, linesAsCoefficients, platformFeeSql } from '@/lib/ledger/posting-rules';
import { buildEvent } from '@/lib/outbox/enqueue-event';
import type { TossPayment } from '@/lib/psp/toss-client';
import { payMethodOf } from './pay-method';
import { transitionPayment, type Payment } from './state-machine';

/**
 * The three ways a payment can end an attempt. Every path that learns a PSP outcome (the
 * success redirect, later the webhook and the recovery poller) finishes through these, so
 * whichever comes second finds the state already moved and does nothing. Each is ONE statement:
 * the transition, its history row, the journal with its lines and the outbox event commit
 * together or not at all, in one round trip.
 */

const UNFINISHED = ['EXECUTING', 'UNKNOWN'] as const;
const APPROVAL = linesAsCoefficients(approvalLines);

/** SUCCESS + approval journal + history + PaymentApproved, in one statement. */
export async function approvePayment(db: Db, payment: Payment, psp: TossPayment, actor: string): Promise<Payment | null> {
  try {
    return await approveOnce(db, payment, psp, actor);
  } catch (err) {
    // The merchant's ledger accounts for this currency do not exist yet (its first approval):
    // a line found no account, which the line triggers refuse. Create them, then book again;
    // nothing was committed. (Any other refusal fails the same way again and is thrown.)
    if (pgErrorCode(err) !== '23514' && pgErrorCode(err) !== '23502') throw err;
    await ensureAccounts(db, payment.merchantId, payment.currency, [...new Set(APPROVAL.map((l) => l.account))]);
    return approveOnce(db, payment, psp, actor);
  }
}

async function approveOnce(db: Db, payment: Payment, psp: TossPayment, actor: string): Promise<Payment | null> {
  const approvedAt = psp.approvedAt ? new Date(psp.approvedAt) : new Date();
  const journalId = newId('jnl');
  // The fee is the merchant's rate, read inside the statement; the event gets it from there.
  const event = buildEvent({
    type: 'PaymentApproved', merchantId: payment.merchantId, paymentId: payment.id, orderId: payment.orderId,
    amount: Number(payment.amount), currency: payment.currency, pspPaymentKey: psp.paymentKey, platformFee: 0,
    approvedAt: approvedAt.toISOString(),
  });
  return transitionPayment(db, {
    paymentId: payment.id,
    event: 'APPROVED',
    actor,
    set: { approvedAt, pspPaymentKey: psp.paymentKey, ...payMethodOf(psp) },
    detail: { pspStatus: psp.status, lastTransactionKey: psp.lastTransactionKey ?? null, approvedAt: psp.approvedAt ?? null },
  }, (sql) => sql`,
    booked as (
      select moved.id, moved.merchant_id, moved.order_id, moved.currency, moved.amount,
             ${sql.unsafe(platformFeeSql('moved.amount', 'm.fee_bps'))} as fee
      from moved join merchants m on m.id = moved.merchant_id
    ), journal as (
      insert into journals (id, merchant_id, kind, payment_id, description)
      select ${journalId}, merchant_id, 'PAYMENT_APPROVAL', id, 'Approval of ' || order_id from booked
    ), lines as (
      insert into journal_lines (journal_id, account_id, amount, currency)
      select ${journalId}, a.id, r.per_amount * b.amount + r.per_fee * b.fee, b.currency
      from booked b
      cross join unnest(${APPROVAL.map((l) => l.account)}::text[], ${APPROVAL.map((l) => l.perAmount.toString())}::bigint[], ${APPROVAL.map((l) => l.perFee.toString())}::bigint[]) as r(code, per_amount, per_fee)
      left join ledger_accounts a on a.merchant_id = b.merchant_id and a.currency = b.currency and a.code::text = r.code
      where r.per_amount * b.amount + r.per_fee * b.fee <> 0
    ), event as (
      insert into outbox (event_id, event_type, aggregate_id, merchant_id, payload)
      select ${event.eventId}, ${event.type}, id, merchant_id, ${JSON.stringify(event)}::jsonb || jsonb_build_object('platformFee', fee)
      from booked
    )`);
}

/**
 * AWAITING_DEPOSIT + the issued virtual account + history + PaymentAwaitingDeposit, in one
 * statement; no journal, since no money moved yet. The PSP's `secret` is stored only as its
 * SHA-256, enough to recognise the DEPOSIT_CALLBACK that carries it.
 */
export async function awaitDeposit(
  db: Db,
  payment: Payment,
  psp: TossPayment,
  account: { bankCode: string; accountNumber: string; customerName: string | null; dueAt: Date; secret: string },
  actor: string,
): Promise<Payment | null> {
  const event = buildEvent({
    type: 'PaymentAwaitingDeposit', merchantId: payment.merchantId, paymentId: payment.id, orderId: payment.orderId,
    amount: Number(payment.amount), currency: payment.currency, pspPaymentKey: psp.paymentKey, bankCode: account.bankCode,
    dueAt: account.dueAt.toISOString(),
  });
  return transitionPayment(db, {
    paymentId: payment.id,
    event: 'DEPOSIT_AWAITED',
    actor,
    set: { pspPaymentKey: psp.paymentKey, method: 'VIRTUAL_ACCOUNT' },
    detail: { pspStatus: psp.status, bankCode: account.bankCode, dueAt: account.dueAt.toISOString() },
  }, (sql) => sql`,
    account as (
      insert into virtual_accounts (payment_id, merchant_id, bank_code, account_number, customer_name, due_at, secret_sha256)
      select id, merchant_id, ${account.bankCode}, ${account.accountNumber}, ${account.customerName}, ${account.dueAt.toISOString()}::timestamptz,
             ${secretDigest(account.secret)}
      from moved
    ), event as (
      insert into outbox (event_id, event_type, aggregate_id, merchant_id, payload)
      select ${event.eventId}, ${event.type}, id, merchant_id, ${JSON.stringify(event)}::jsonb from moved
    )`);
}

/** Hex SHA-256 of a PSP secret: what we keep of it. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** FAILURE + history + PaymentFailed, in one statement; no journal, since no money moved. */
export async function failPayment(
  db: Db,
  payment: Payment,
  failure: { code: string; message: string },
  actor: string,
  from: readonly PaymentStatus[] = ['NOT_STARTED', ...UNFINISHED],
): Promise<Payment | null> {
  // A waiting virtual account is ended only by callers that name it (expiry, a cancel before the deposit).
  const event = buildEvent({
    type: 'PaymentFailed', merchantId: payment.merchantId, paymentId: payment.id, orderId: payment.orderId,
    amount: Number(payment.amount), currency: payment.currency, failureCode: failure.code, failureMessage: failure.message,
  });
  return transitionPayment(db, {
    paymentId: payment.id,
    event: 'DECLINED',
    from: from as ('NOT_STARTED' | 'EXECUTING' | 'UNKNOWN' | 'AWAITING_DEPOSIT')[],
    actor,
    set: { failureCode: failure.code, failureMessage: failure.message },
    detail: failure,
  }, (sql) => sql`,
    event as (
      insert into outbox (event_id, event_type, aggregate_id, merchant_id, payload)
      select ${event.eventId}, ${event.type}, id, merchant_id, ${JSON.stringify(event)}::jsonb from moved
    )`);
}

/** EXECUTING → UNKNOWN: we asked the PSP and did not learn the answer. Recovery resolves it. */
export async function markOutcomeUnknown(db: Db, payment: Payment, reason: string, actor: string): Promise<Payment | null> {
  return transitionPayment(db, { paymentId: payment.id, event: 'CONFIRM_OUTCOME_UNKNOWN', actor, detail: { reason } });
}
