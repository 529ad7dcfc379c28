import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, check, date, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The Toss-compatible PSP sandbox keeps its state in its own schema `sandbox`, with its own
 * migrations (sandbox/db/migrations) and pool: it is a separate system that may share the
 * database server, and nothing in the merchant app reads these tables. (The merchant app's first
 * migration once created the same tables in schema `psp`; nothing uses those any more.)
 */
export const psp = pgSchema('sandbox');

export const pspMerchants = psp.table('merchants', {
  mId: text('m_id').primaryKey(),
  name: text('name').notNull(),
  clientKey: text('client_key').notNull().unique(),
  secretKey: text('secret_key').notNull().unique(),
  /** PSP fee in basis points, used for settlements. */
  feeBps: integer('fee_bps').notNull().default(320),
  /** Where PAYMENT_STATUS_CHANGED webhooks go (Toss: registered per MID in the developer center); null = none. */
  webhookUrl: text('webhook_url'),
  /**
   * Origins (`https://shop.example`) the payment window may send the buyer back to: successUrl
   * and failUrl must be on one of them, as Toss accepts only the merchant's registered domains.
   */
  redirectOrigins: text('redirect_origins').array().notNull().default(sql`'{}'::text[]`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const pspPaymentStatus = psp.enum('payment_status', [
  'READY', 'IN_PROGRESS', 'WAITING_FOR_DEPOSIT', 'DONE', 'CANCELED', 'PARTIAL_CANCELED', 'ABORTED', 'EXPIRED',
]);
export type PspPaymentStatus = (typeof pspPaymentStatus.enumValues)[number];

/** One element of the Payment object's `cancels[]` (Toss reference §2.1). */
export interface PspCancelObject {
  cancelAmount: number;
  cancelReason: string;
  taxFreeAmount: number;
  taxExemptionAmount: number;
  /** The balance after this cancel. */
  refundableAmount: number;
  cardDiscountAmount: number;
  transferDiscountAmount: number;
  easyPayDiscountAmount: number;
  canceledAt: string;
  transactionKey: string;
  receiptKey: string | null;
  cancelStatus: 'DONE';
  cancelRequestId: string | null;
}

/**
 * How the buyer paid (Toss's `requestPayment` method, reference §1.3). Easy pay (Toss Pay, Kakao
 * Pay, Naver Pay) is a card payment made through a provider: method CARD with `easyPayProvider`.
 */
export const pspPayMethod = psp.enum('pay_method', ['CARD', 'TRANSFER', 'MOBILE_PHONE', 'VIRTUAL_ACCOUNT']);
export type PspPayMethod = (typeof pspPayMethod.enumValues)[number];

export const pspPayments = psp.table('payments', {
  paymentKey: text('payment_key').primaryKey(),
  mId: text('m_id').notNull().references(() => pspMerchants.mId),
  orderId: text('order_id').notNull(),
  orderName: text('order_name').notNull(),
  /** Integer minor units of `currency` (KRW has none: 1 = 1 won). Bound to the paymentKey at authentication. */
  amount: bigint('amount', { mode: 'number' }).notNull(),
  balanceAmount: bigint('balance_amount', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  status: pspPaymentStatus('status').notNull(),
  lastTransactionKey: text('last_transaction_key'),
  cardNumber: text('card_number').notNull(),
  approveNo: text('approve_no'),
  failure: jsonb('failure').$type<{ code: string; message: string } | null>(),
  /** Toss's `cancels[]`, oldest first, exactly as the API shows them. */
  cancels: jsonb('cancels').$type<PspCancelObject[]>().notNull().default([]),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
  authenticatedAt: timestamp('authenticated_at', { withTimezone: true }),
  approvedAt: timestamp('approved_at', { withTimezone: true }),
  method: pspPayMethod('method').notNull().default('CARD'),
  /** Toss's easyPay.provider (`토스페이`, `카카오페이`, `네이버페이`); null unless paid through one. */
  easyPayProvider: text('easy_pay_provider'),
  /** Virtual accounts: the account issued by the window (test accounts start with `X`, as Toss's). */
  vaAccountNumber: text('va_account_number'),
  /** Toss's two-digit bank code of the issuing bank. */
  vaBankCode: text('va_bank_code'),
  vaCustomerName: text('va_customer_name'),
  /** The due date: no deposit is accepted by the bank after it; Toss sends no webhook when it passes. */
  vaDueAt: timestamp('va_due_at', { withTimezone: true }),
  /** Toss's `secret`: DEPOSIT_CALLBACK carries it so the merchant can tell a genuine callback. */
  secret: text('secret'),
}, (t) => [
  check('psp_payments_va_complete', sql`(${t.method} = 'VIRTUAL_ACCOUNT') = (${t.vaAccountNumber} is not null and ${t.vaDueAt} is not null and ${t.secret} is not null)`),
  index('psp_payments_order').on(t.mId, t.orderId, t.requestedAt),
  // An order is paid at most once per merchant, however many attempts (paymentKeys) it had:
  // two confirms racing for different attempts of one order cannot both reach DONE. A virtual
  // account waiting for its deposit counts: its deposit would pay the order. Written as the
  // statuses left out (= WAITING_FOR_DEPOSIT, DONE, CANCELED, PARTIAL_CANCELED) because the
  // migration that added WAITING_FOR_DEPOSIT may not name it in the same transaction.
  uniqueIndex('psp_payments_one_paid_per_order').on(t.mId, t.orderId)
    .where(sql`${t.status} not in ('READY', 'IN_PROGRESS', 'ABORTED', 'EXPIRED')`),
  check('psp_payments_amount_positive', sql`${t.amount} > 0`),
  check('psp_payments_balance_in_range', sql`${t.balanceAmount} between 0 and ${t.amount}`),
]);

/** Toss matches (Idempotency-Key, API key, URL, method) and replays the first response. */
export const pspIdempotency = psp.table('idempotency_keys', {
  idempotencyKey: text('idempotency_key').notNull(),
  mId: text('m_id').notNull().references(() => pspMerchants.mId),
  method: text('method').notNull(),
  path: text('path').notNull(),
  /** null while the first request is still being processed (→ 409 IDEMPOTENT_REQUEST_PROCESSING). */
  responseStatus: integer('response_status'),
  /** The first response's body exactly as sent (text, not jsonb, so a replay is byte-identical). */
  responseBody: text('response_body'),
  /** When the key was claimed (first use, or a takeover of an abandoned claim); starts the 15-day validity. */
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
}, (t) => [primaryKey({ columns: [t.idempotencyKey, t.mId, t.method, t.path] })]);

export const pspTransactionKind = psp.enum('transaction_kind', ['APPROVAL', 'CANCEL']);
export type PspTransactionKind = (typeof pspTransactionKind.enumValues)[number];

/**
 * One row per money movement (an approval or a cancel), written in the transaction that made
 * it: the source of settlements (Toss: one settlement row per approval and per cancel).
 */
export const pspTransactions = psp.table('transactions', {
  transactionKey: text('transaction_key').primaryKey(),
  paymentKey: text('payment_key').notNull().references(() => pspPayments.paymentKey),
  mId: text('m_id').notNull().references(() => pspMerchants.mId),
  kind: pspTransactionKind('kind').notNull(),
  /** Positive for both kinds; settlements show cancels negative. */
  amount: bigint('amount', { mode: 'number' }).notNull(),
  /** The PSP's fee for this movement, fixed when it happened (a later fee_bps change does not rewrite history). */
  fee: bigint('fee', { mode: 'number' }).notNull(),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  /** The Korean calendar day of `occurredAt`: Toss's settlement "soldDate" for a daily cycle. */
  soldDate: date('sold_date', { mode: 'string' }).notNull(),
  /** Insertion order: orders movements made at the same instant (an approval before its cancel). */
  seq: bigserial('seq', { mode: 'number' }).notNull(),
}, (t) => [
  index('psp_transactions_sold').on(t.mId, t.soldDate, t.occurredAt, t.seq),
  index('psp_transactions_payment').on(t.paymentKey),
  check('psp_transactions_amount_positive', sql`${t.amount} > 0`),
  check('psp_transactions_fee_in_range', sql`${t.fee} between 0 and ${t.amount}`),
]);

export const pspFaultOperation = psp.enum('fault_operation', ['confirm', 'cancel', 'lookup']);
export const pspFaultMode = psp.enum('fault_mode', ['lose-response', 'server-error', 'slow']);

/**
 * Sandbox-only fault injection (not a Toss feature): the next `remaining` calls of `operation`
 * by the merchant misbehave as `mode`. Faults of one operation are used oldest first; a call
 * takes one by decrementing `remaining` with a conditional update.
 */
export const pspFaults = psp.table('faults', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  mId: text('m_id').notNull().references(() => pspMerchants.mId),
  operation: pspFaultOperation('operation').notNull(),
  mode: pspFaultMode('mode').notNull(),
  count: integer('count').notNull(),
  remaining: integer('remaining').notNull(),
  /** Only for mode `slow`. */
  delayMs: integer('delay_ms'),
  /** Set: the fault hits only calls about this payment; null: the next calls, whatever payment. */
  paymentKey: text('payment_key'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('psp_faults_pending').on(t.mId, t.operation, t.id).where(sql`${t.remaining} > 0`),
  check('psp_faults_remaining_in_range', sql`${t.remaining} between 0 and ${t.count}`),
]);

export const pspWebhookStatus = psp.enum('webhook_status', ['PENDING', 'DELIVERED', 'FAILED']);
export type PspWebhookStatus = (typeof pspWebhookStatus.enumValues)[number];

/**
 * Outgoing webhooks (Toss reference §6), written in the transaction of the change they report and
 * POSTed by deliverDueWebhooks. One row per event; its id is the transmission id sent with every
 * try, so receivers can deduplicate.
 */
export const pspWebhookDeliveries = psp.table('webhook_deliveries', {
  transmissionId: text('transmission_id').primaryKey(),
  mId: text('m_id').notNull().references(() => pspMerchants.mId),
  paymentKey: text('payment_key').notNull().references(() => pspPayments.paymentKey),
  eventType: text('event_type').notNull(),
  /** The merchant's webhook URL when the event happened. */
  url: text('url').notNull(),
  /** Serialised once, so every try sends the same bytes. */
  body: text('body').notNull(),
  status: pspWebhookStatus('status').notNull().default('PENDING'),
  /** Tries that failed so far = the retried-count header of the next try. */
  retriedCount: integer('retried_count').notNull().default(0),
  /** When the next try is due (PENDING); while a try is running, the end of its lease. */
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
  lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
  /** `HTTP 503`, `timeout after 10000 ms`, `ECONNREFUSED`, … of the last try. */
  lastResult: text('last_result'),
  deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
}, (t) => [
  index('psp_webhook_deliveries_due').on(t.nextAttemptAt).where(sql`${t.status} = 'PENDING'`),
  index('psp_webhook_deliveries_payment').on(t.paymentKey, t.createdAt),
]);
