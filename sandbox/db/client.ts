import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { reconnectDelaySeconds } from '@/db/client';
import * as schema from './schema';

/** The sandbox's own database handle: its schema only, its own pool. */
export type Db = PostgresJsDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface SandboxDatabase {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export function connectSandbox(url: string, options: { max?: number; appName?: string } = {}): SandboxDatabase {
  const sql = postgres(url, {
    max: options.max ?? 10,
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
    connection: { application_name: options.appName ?? 'psp-sandbox' },
    backoff: reconnectDelaySeconds,
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * A sandbox handle on an existing pool, given as postgres.js's `sql` or a drizzle database built
 * on one (tests and the seeded simulator run the shop and the sandbox on one server and pool).
 */
export function sandboxDb(pool: postgres.Sql | object): Db {
  const client = (typeof pool === 'function' ? pool : (pool as { $client?: postgres.Sql }).$client) as postgres.Sql | undefined;
  if (!client) throw new Error('sandboxDb: expected a postgres.js client or a drizzle database built on one');
  return drizzle(client, { schema });
}
