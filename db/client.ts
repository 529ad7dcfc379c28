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

export function connect(url: string, options: { max?: number; appName?: string } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    // bigint columns come back as JS bigint; money never passes through a float.
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
    connection: { application_name: options.appName ?? 'won-checkout' },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
