import { sql, type SQL } from 'drizzle-orm';

/**
 * Recovery's one clock is the database's: created_at, updated_at and next_*_at are stamped by
 * its now(), so "older than the grace" is decided there too, and a worker whose clock is off
 * neither acts too early (finishing a confirm still running, expiring a live window) nor never.
 *
 * `at` is for the seeded simulator only, whose fake clock stands in for now(); production
 * code leaves it unset.
 */
export type SimulatedNow = Date | undefined;

export const databaseNow = (at: SimulatedNow): SQL => (at ? sql`${at.toISOString()}::timestamptz` : sql`now()`);

/** The instant `ms` milliseconds before the database's now. */
export const databaseAgo = (ms: number, at: SimulatedNow): SQL => sql`(${databaseNow(at)} - ${ms}::bigint * interval '1 millisecond')`;
