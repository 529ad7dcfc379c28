import { sql } from 'drizzle-orm';
import {
  bigint, check, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The Toss-compatible PSP sandbox keeps its state in its own schema: it is a separate system
 * that happens to share the database server, and nothing in the merchant app reads these tables.
 */
export const psp = pgSchema('psp');

export const pspMerchants = psp.table('merchants', {
  mId: text('m_id').primaryKey(),
  name: text('name').notNull(),
  clientKey: text('client_key').notNull().unique(),
  secretKey: text('secret_key').notNull().unique(),
  /** PSP fee in basis points, used for settlements. */
  feeBps: integer('fee_bps').notNull().default(320),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const pspPaymentStatus = psp.enum('payment_status', [
  'READY', 'IN_PROGRESS', 'DONE', 'CANCELED', 'PARTIAL_CANCELED', 'ABORTED', 'EXPIRED',
]);
export type PspPaymentStatus = (typeof pspPaymentStatus.enumValues)[number];

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
  cancels: jsonb('cancels').$type<Record<string, unknown>[]>().notNull().default([]),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
  authenticatedAt: timestamp('authenticated_at', { withTimezone: true }),
  approvedAt: timestamp('approved_at', { withTimezone: true }),
}, (t) => [
  index('psp_payments_order').on(t.mId, t.orderId, t.requestedAt),
  // An order is paid at most once per merchant, however many attempts (paymentKeys) it had:
  // two confirms racing for different attempts of one order cannot both reach DONE.
  uniqueIndex('psp_payments_one_paid_per_order').on(t.mId, t.orderId)
    .where(sql`${t.status} in ('DONE', 'CANCELED', 'PARTIAL_CANCELED')`),
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
