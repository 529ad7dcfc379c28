import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { merchants } from './merchant';

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * Exactly-once effects: a consumer inserts (consumer, eventId) in the same transaction as its
 * effect; a redelivered event hits the primary key and changes nothing.
 */
export const consumedEvents = pgTable('consumed_events', {
  consumer: text('consumer').notNull(),
  eventId: text('event_id').notNull(),
  consumedAt: at('consumed_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.consumer, t.eventId] })]);

/**
 * Per-merchant balance projection, built from events by the balance consumer (off the confirm
 * path, so no payment waits on this row's lock). Checked against the ledger lines.
 */
export const merchantBalances = pgTable('merchant_balances', {
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  currency: text('currency').notNull(),
  /** What the platform owes the merchant: approved amounts less platform fees. */
  payable: bigint('payable', { mode: 'bigint' }).notNull().default(sql`0`),
  approvedCount: integer('approved_count').notNull().default(0),
  failedCount: integer('failed_count').notNull().default(0),
  updatedAt: at('updated_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.merchantId, t.currency] })]);

/** Every attempt to deliver an event to a merchant's webhook, successful or not. */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  eventId: text('event_id').notNull(),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  attempt: integer('attempt').notNull(),
  url: text('url').notNull(),
  statusCode: integer('status_code'),
  error: text('error'),
  durationMs: integer('duration_ms').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
}, (t) => [index('webhook_deliveries_event').on(t.eventId), index('webhook_deliveries_merchant').on(t.merchantId, t.createdAt)]);

/** Events a consumer gave up on. Visible in the dashboard and replayable to the main topic. */
export const deadLetters = pgTable('dead_letters', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  consumer: text('consumer').notNull(),
  /** null when the payload was not even a valid event. */
  eventId: text('event_id'),
  merchantId: text('merchant_id'),
  sourceTopic: text('source_topic').notNull(),
  payload: jsonb('payload'),
  rawValue: text('raw_value'),
  error: text('error').notNull(),
  attempts: integer('attempts').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
  lastFailedAt: at('last_failed_at').notNull().defaultNow(),
  replayedAt: at('replayed_at'),
  replayCount: integer('replay_count').notNull().default(0),
}, (t) => [
  uniqueIndex('dead_letters_consumer_event').on(t.consumer, t.eventId).where(sql`${t.eventId} is not null`),
  index('dead_letters_merchant').on(t.merchantId, t.lastFailedAt),
]);

/**
 * Each worker process writes its row every few seconds (lib/workers/heartbeat.ts); the
 * dashboard's system health calls a worker down when no instance of it beat recently.
 */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  name: text('name').notNull(),
  instance: text('instance').notNull(),
  startedAt: at('started_at').notNull().defaultNow(),
  beatAt: at('beat_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.name, t.instance] })]);
