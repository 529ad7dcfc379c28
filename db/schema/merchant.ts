import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, check, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex,
} from 'drizzle-orm/pg-core';

/** Money is always an integer count of the currency's minor unit (KRW has none: 1 = 1 won). */
const money = (name: string) => bigint(name, { mode: 'bigint' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Platform fee in basis points of each approved payment (250 = 2.5 %). */
  feeBps: integer('fee_bps').notNull().default(250),
  /** Where the webhook notifier POSTs this merchant's payment events (none: not notified). */
  webhookUrl: text('webhook_url'),
  /** HMAC-SHA256 key for the webhook signature header. */
  webhookSecret: text('webhook_secret'),
  createdAt: createdAt(),
}, (t) => [check('merchants_fee_bps', sql`${t.feeBps} between 0 and 10000`)]);

export const products = pgTable('products', {
  id: text('id').primaryKey(),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  name: text('name').notNull(),
  price: money('price').notNull(),
  currency: text('currency').notNull(),
  createdAt: createdAt(),
}, (t) => [
  index('products_merchant').on(t.merchantId),
  check('products_price_positive', sql`${t.price} > 0`),
]);

export const orders = pgTable('orders', {
  id: text('id').primaryKey(),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  /** The shopper's idempotency key for "place this order": a double click sends it twice. */
  checkoutKey: text('checkout_key').notNull(),
  /** Hash of the requested items, so a reused checkout key with a different cart is refused. */
  requestHash: text('request_hash').notNull(),
  orderName: text('order_name').notNull(),
  amount: money('amount').notNull(),
  currency: text('currency').notNull(),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('orders_merchant_checkout_key').on(t.merchantId, t.checkoutKey),
  index('orders_merchant_created').on(t.merchantId, t.createdAt),
  check('orders_amount_positive', sql`${t.amount} > 0`),
]);

export const orderItems = pgTable('order_items', {
  orderId: text('order_id').notNull().references(() => orders.id),
  productId: text('product_id').notNull().references(() => products.id),
  quantity: integer('quantity').notNull(),
  unitPrice: money('unit_price').notNull(),
}, (t) => [
  primaryKey({ columns: [t.orderId, t.productId] }),
  check('order_items_quantity_positive', sql`${t.quantity} > 0`),
]);

export const paymentStatus = pgEnum('payment_status', [
  'NOT_STARTED', 'EXECUTING', 'SUCCESS', 'FAILURE', 'UNKNOWN', 'AWAITING_DEPOSIT', 'PARTIALLY_REFUNDED', 'REFUNDED',
]);
export type PaymentStatus = (typeof paymentStatus.enumValues)[number];

/**
 * How the shopper paid, as the PSP reports it (Toss's `method`, reference: 카드, 간편결제, 계좌이체,
 * 휴대폰, 가상계좌). Easy pay (Toss Pay, Kakao Pay, Naver Pay) keeps its provider beside it.
 */
export const payMethod = pgEnum('pay_method', ['CARD', 'EASY_PAY', 'TRANSFER', 'MOBILE_PHONE', 'VIRTUAL_ACCOUNT']);
export type PayMethod = (typeof payMethod.enumValues)[number];

/**
 * One row per payment attempt of an order. A declined or cancelled attempt stays FAILURE and
 * the shopper's retry is a new attempt; at most one attempt per order is not FAILURE.
 */
export const payments = pgTable('payments', {
  id: text('id').primaryKey(),
  orderId: text('order_id').notNull().references(() => orders.id),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  amount: money('amount').notNull(),
  currency: text('currency').notNull(),
  status: paymentStatus('status').notNull().default('NOT_STARTED'),
  pspPaymentKey: text('psp_payment_key'),
  /** Sent as Idempotency-Key on every confirm attempt of THIS payment, never on another. */
  confirmIdempotencyKey: text('confirm_idempotency_key').notNull(),
  failureCode: text('failure_code'),
  failureMessage: text('failure_message'),
  approvedAt: timestamp('approved_at', { withTimezone: true }),
  /** Sum of succeeded refunds; never above `amount` (checked by the database). */
  refundedAmount: money('refunded_amount').notNull().default(sql`0`),
  /** Recovery bookkeeping for EXECUTING/UNKNOWN payments: tries so far and when to try next. */
  recoveryAttempts: integer('recovery_attempts').notNull().default(0),
  nextRecoveryAt: timestamp('next_recovery_at', { withTimezone: true }),
  /** Recovery gave up (retry cap) or the PSP disagrees with us: a person must look. */
  needsAttention: text('needs_attention'),
  /** Known once the PSP answered (the shopper picks it in the PSP's window); null before. */
  method: payMethod('method'),
  /** Toss's easyPay.provider (토스페이, 카카오페이, 네이버페이) when method is EASY_PAY. */
  easyPayProvider: text('easy_pay_provider'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  check('payments_refunded_within_amount', sql`${t.refundedAmount} between 0 and ${t.amount}`),
  uniqueIndex('payments_psp_payment_key').on(t.pspPaymentKey),
  uniqueIndex('payments_confirm_idempotency_key').on(t.confirmIdempotencyKey),
  uniqueIndex('payments_one_live_attempt_per_order').on(t.orderId).where(sql`${t.status} <> 'FAILURE'`),
  index('payments_merchant').on(t.merchantId),
  index('payments_unfinished').on(t.status, t.updatedAt).where(sql`${t.status} in ('EXECUTING', 'UNKNOWN')`),
  index('payments_not_started').on(t.createdAt).where(sql`${t.status} = 'NOT_STARTED'`),
  index('payments_order').on(t.orderId),
]);

/** Append-only (a trigger rejects UPDATE and DELETE): who moved which payment where, and why. */
export const paymentHistory = pgTable('payment_history', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  paymentId: text('payment_id').notNull().references(() => payments.id),
  fromStatus: paymentStatus('from_status'),
  toStatus: paymentStatus('to_status'),
  /** What happened: CREATED, CONFIRM_STARTED, APPROVED, DECLINED, CONFIRM_OUTCOME_UNKNOWN, TAMPER_REJECTED, ... */
  event: text('event').notNull(),
  /** What caused it: shopper-redirect, shopper-fail-redirect, checkout, system, ... */
  actor: text('actor').notNull(),
  detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
}, (t) => [index('payment_history_payment').on(t.paymentId, t.id)]);

export const accountCode = pgEnum('ledger_account_code', [
  'PSP_RECEIVABLE', 'MERCHANT_PAYABLE', 'PLATFORM_REVENUE', 'CASH', 'PSP_FEE_EXPENSE',
]);
export type AccountCode = (typeof accountCode.enumValues)[number];

/** The platform's books, one account set per merchant and currency. */
export const ledgerAccounts = pgTable('ledger_accounts', {
  id: text('id').primaryKey(),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  code: accountCode('code').notNull(),
  currency: text('currency').notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('ledger_accounts_merchant_code_currency').on(t.merchantId, t.code, t.currency)]);

export const journalKind = pgEnum('journal_kind', ['PAYMENT_APPROVAL', 'REFUND', 'SETTLEMENT', 'CORRECTION']);

/** Append-only. Balanced per currency, checked by a deferred constraint trigger at commit. */
export const journals = pgTable('journals', {
  id: text('id').primaryKey(),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  kind: journalKind('kind').notNull(),
  paymentId: text('payment_id').references(() => payments.id),
  /** What outside the ledger this journal books: a refund id, a PSP settlement transactionKey. */
  externalRef: text('external_ref'),
  description: text('description').notNull(),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('journals_one_approval_per_payment').on(t.paymentId).where(sql`${t.kind} = 'PAYMENT_APPROVAL'`),
  uniqueIndex('journals_one_per_external_ref').on(t.kind, t.externalRef).where(sql`${t.externalRef} is not null`),
  index('journals_payment').on(t.paymentId),
  index('journals_merchant_created').on(t.merchantId, t.createdAt),
]);

/** A debit is a positive amount, a credit a negative one; a journal's lines sum to zero. */
export const journalLines = pgTable('journal_lines', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  journalId: text('journal_id').notNull().references(() => journals.id),
  accountId: text('account_id').notNull().references(() => ledgerAccounts.id),
  amount: money('amount').notNull(),
  currency: text('currency').notNull(),
}, (t) => [
  index('journal_lines_journal').on(t.journalId),
  index('journal_lines_account').on(t.accountId),
  check('journal_lines_nonzero', sql`${t.amount} <> 0`),
]);

/**
 * Transactional outbox: written in the same transaction as the state change it announces,
 * relayed to Kafka by workers/outbox-relay. `id` gives the relay its order.
 */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  /** Not unique: replaying a dead letter enqueues the same event again (consumers dedupe by it). */
  eventId: text('event_id').notNull(),
  eventType: text('event_type').notNull(),
  /** The Kafka message key: one payment's events stay on one partition, in order. */
  aggregateId: text('aggregate_id').notNull(),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
  publishedAt: timestamp('published_at', { withTimezone: true }),
}, (t) => [
  index('outbox_unpublished').on(t.id).where(sql`${t.publishedAt} is null`),
  index('outbox_event').on(t.eventId),
  index('outbox_aggregate').on(t.aggregateId),
  // The relay's order check (lib/outbox/claim-in-key-order.ts): earlier unpublished rows of a key.
  index('outbox_unpublished_by_key').on(t.aggregateId, t.id).where(sql`${t.publishedAt} is null`),
]);
