import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;
/** A transaction handle; query functions accept `Db | Tx` so they run alone or inside one. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * Wait before reconnecting a pooled connection, in seconds, given how many connection failures
 * the pool has seen since its last successful connect. postgres.js's default (3^n / 100 s, up to
 * 20 s) counts failures across the whole pool, so when a PostgreSQL restart drops all ten
 * connections at once the count jumps and most of the pool stays away for 10–20 s after the
 * server is back (a pool of ten under load had 2–4 connections 8 s after a 0.3 s restart, and
 * in `npm run chaos` request latency stayed ~4× higher for the rest of the run).
 * Doubling from 50 ms, capped at 1 s, with jitter: a down server gets a few attempts per second
 * per connection, and a restarted one gets its pool back within a second.
 */
export function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1) * (0.5 + Math.random() / 2);
}

export function connect(url: string, options: { max?: number; appName?: string; onQuery?: (query: string) => void } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    // bigint columns come back as JS bigint; money never passes through a float.
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
    connection: { application_name: options.appName ?? 'won-checkout' },
    backoff: reconnectDelaySeconds,
    // Every statement sent (tests count the pay path's round trips with it).
    ...(options.onQuery ? { debug: (_connection: number, query: string) => options.onQuery!(query) } : {}),
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * The postgres.js client under a drizzle handle (the pool, or the transaction's connection), for
 * the pay path's hand-written statements: tagged templates are prepared once per connection and
 * skip drizzle's per-request query building.
 */
export function pg(d: DbOrTx): postgres.Sql {
  return (d as unknown as { session: { client: postgres.Sql } }).session.client;
}
