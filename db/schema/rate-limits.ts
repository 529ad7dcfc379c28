import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Fixed-window counters for rate limits (merchant sign-in), shared by every web instance.
 * `key` names the limit and its subject (e.g. `login:acct-addr:<email>|<address>`); rows of past
 * windows are deleted as new ones are written.
 */
export const rateLimitHits = pgTable('rate_limit_hits', {
  key: text('key').notNull(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull().default(0),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
}, (t) => [primaryKey({ columns: [t.key, t.windowStart] })]);
