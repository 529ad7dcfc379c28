import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { merchants, payments } from './merchant';

export const refundStatus = pgEnum('refund_status', ['PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN']);
export type RefundStatus = (typeof refundStatus.enumValues)[number];

/**
 * One row per refund request. A PENDING/UNKNOWN refund reserves its amount, so concurrent
 * refunds can never exceed what was paid; the PSP cancel is called with `pspIdempotencyKey`,
 * which belongs to this refund and is reused by every retry of it.
 */
export const refunds = pgTable('refunds', {
  id: text('id').primaryKey(),
  paymentId: text('payment_id').notNull().references(() => payments.id),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  currency: text('currency').notNull(),
  reason: text('reason').notNull(),
  /** The merchant's Idempotency-Key: the same key returns the same refund. */
  idempotencyKey: text('idempotency_key').notNull(),
  pspIdempotencyKey: text('psp_idempotency_key').notNull().unique(),
  status: refundStatus('status').notNull().default('PENDING'),
  pspTransactionKey: text('psp_transaction_key'),
  failureCode: text('failure_code'),
  failureMessage: text('failure_message'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
  requestedBy: text('requested_by').notNull(),
  /** Virtual accounts paid: the shopper's refund account, AES-256-GCM (lib/refunds/refund-account.ts). */
  refundAccountSealed: text('refund_account_sealed'),
  /** The same account masked for people (bank, last four digits, holder's initial). */
  refundAccountMasked: text('refund_account_masked'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex('refunds_merchant_idempotency_key').on(t.merchantId, t.idempotencyKey),
  index('refunds_payment').on(t.paymentId),
  index('refunds_unfinished').on(t.status).where(sql`${t.status} in ('PENDING', 'UNKNOWN')`),
  check('refunds_amount_positive', sql`${t.amount} > 0`),
]);

/** Inbound PSP webhooks, deduplicated by Toss's transmission id. */
export const pspWebhookReceipts = pgTable('psp_webhook_receipts', {
  transmissionId: text('transmission_id').primaryKey(),
  eventType: text('event_type').notNull(),
  paymentKey: text('payment_key'),
  orderId: text('order_id'),
  payload: jsonb('payload').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  processedAt: timestamp('processed_at', { withTimezone: true }),
  outcome: text('outcome'),
}, (t) => [index('psp_webhook_receipts_unprocessed').on(t.receivedAt).where(sql`${t.processedAt} is null`)]);

export const reconciliationClass = pgEnum('reconciliation_class', [
  'MATCHED', 'MISSING_OURS', 'MISSING_AT_PSP', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH',
]);
export type ReconciliationClass = (typeof reconciliationClass.enumValues)[number];

export const reconciliationRuns = pgTable('reconciliation_runs', {
  id: text('id').primaryKey(),
  /** The KST sales dates compared, inclusive. */
  fromDate: text('from_date').notNull(),
  toDate: text('to_date').notNull(),
  trigger: text('trigger').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  counts: jsonb('counts').$type<Partial<Record<ReconciliationClass, number>>>().notNull().default({}),
  settlementJournals: integer('settlement_journals').notNull().default(0),
  error: text('error'),
});

/**
 * Why a reconciliation item got its verdict, as data: a code and the figures behind it. The
 * dashboard words it in the reader's language (lib/i18n/words `reconReasonText`); the item's
 * `detail` keeps the English wording for the API and logs. Amounts are in the payment's currency.
 */
export type ReconciliationReason =
  | { code: 'SETTLED_UNKNOWN_TO_US'; count: number; orderId: string }
  | { code: 'SETTLED_BUT_NOT_FINISHED'; ourStatus: string }
  | { code: 'SETTLED_AMOUNT_DIFFERS'; pspAmount: number; ourAmount: number; currency: string }
  | { code: 'SETTLED_REFUNDS_DIFFER'; pspAmount: number; ourAmount: number; currency: string }
  | { code: 'SETTLED_AS_APPROVED' }
  | { code: 'NO_RECORD_AT_PSP'; ourStatus: string }
  | { code: 'NO_CHARGE_EITHER_SIDE' }
  | { code: 'PSP_UNREADABLE'; reason: string }
  | { code: 'STATUS_DIFFERS'; pspStatus: string; ourStatus: string }
  | { code: 'CHARGED_AMOUNT_DIFFERS'; pspAmount: number; ourAmount: number; currency: string }
  | { code: 'REFUNDED_AMOUNT_DIFFERS'; pspAmount: number; ourAmount: number; currency: string }
  | { code: 'APPROVED_NOT_SETTLED' }
  | { code: 'NOT_CHARGED_EITHER'; pspStatus: string }
  | { code: 'CANCELLED_AT_PSP'; pspAmount: number; pspStatus: string; ourStatus: string; ourAmount: number; currency: string };

export type ReconciliationReasonCode = ReconciliationReason['code'];

/** One row per payment compared in a run: what we have, what the PSP has, and the verdict. */
export const reconciliationItems = pgTable('reconciliation_items', {
  id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
  runId: text('run_id').notNull().references(() => reconciliationRuns.id),
  merchantId: text('merchant_id'),
  paymentId: text('payment_id'),
  orderId: text('order_id'),
  pspPaymentKey: text('psp_payment_key'),
  classification: reconciliationClass('classification').notNull(),
  ours: jsonb('ours'),
  psp: jsonb('psp'),
  /** The English wording of `reason`, for the API and logs. */
  detail: text('detail').notNull(),
  /** Why the verdict, as data; null on items of runs before it was stored. */
  reason: jsonb('reason').$type<ReconciliationReason>(),
}, (t) => [index('reconciliation_items_run').on(t.runId, t.classification), index('reconciliation_items_merchant').on(t.merchantId, t.runId)]);
