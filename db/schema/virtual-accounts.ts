import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { merchants, payments } from './merchant';

/**
 * The virtual account the PSP issued for a payment (one per payment), written with the
 * payment's move to AWAITING_DEPOSIT. The shopper sees bank, number, amount and due date; the
 * PSP's `secret` is kept only as its SHA-256, enough to recognise a genuine DEPOSIT_CALLBACK and
 * useless to anyone who reads the table.
 */
export const virtualAccounts = pgTable('virtual_accounts', {
  paymentId: text('payment_id').primaryKey().references(() => payments.id),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  /** Toss's two-digit bank code (e.g. `20` 우리은행). */
  bankCode: text('bank_code').notNull(),
  accountNumber: text('account_number').notNull(),
  customerName: text('customer_name'),
  /** After it the bank takes no deposit; the PSP sends no webhook when it passes (recovery notices). */
  dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  /** Hex SHA-256 of the PSP's `secret` for this payment. */
  secretSha256: text('secret_sha256').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('virtual_accounts_merchant_due').on(t.merchantId, t.dueAt),
  index('virtual_accounts_due').on(t.dueAt),
  check('virtual_accounts_secret_sha256', sql`${t.secretSha256} ~ '^[0-9a-f]{64}$'`),
]);
