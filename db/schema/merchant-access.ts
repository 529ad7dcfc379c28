import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { merchants } from './merchant';

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * Merchant API keys: shown once when created, stored as a SHA-256 hash (the key is 256 random
 * bits, so a slow KDF adds nothing; the hash only has to be irreversible).
 */
export const merchantApiKeys = pgTable('merchant_api_keys', {
  id: text('id').primaryKey(),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  name: text('name').notNull(),
  /** The first characters of the key, so a merchant can tell keys apart. */
  prefix: text('prefix').notNull(),
  hash: text('hash').notNull().unique(),
  createdBy: text('created_by').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
  lastUsedAt: at('last_used_at'),
  revokedAt: at('revoked_at'),
}, (t) => [index('merchant_api_keys_merchant').on(t.merchantId)]);

/**
 * Append-only (trigger): what a merchant's people and keys did, in the transaction that did it.
 * Operator actions on what belongs to no merchant (orphan dead letters) have no merchant.
 */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  merchantId: text('merchant_id').references(() => merchants.id),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  target: text('target'),
  detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: at('created_at').notNull().defaultNow(),
}, (t) => [index('audit_log_merchant').on(t.merchantId, t.id)]);
