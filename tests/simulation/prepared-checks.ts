import type { SQLWrapper } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Db } from '@/db/client';

const dialect = new PgDialect();

/**
 * The same database, executing raw SQL as named prepared statements on the given connection
 * (SeedDatabase.checkSql, which keeps generic plans). The simulator runs the same invariant
 * queries after every step; drizzle's `execute` sends each unprepared, so PostgreSQL would plan
 * them on every call. The checker only calls `execute`, so this is all of `Db` it needs; the
 * queries and the data are the real ones.
 */
export function preparedDb(client: postgres.Sql): Db {
  const execute = (query: SQLWrapper | string) => {
    const q = typeof query === 'string' ? { sql: query, params: [] } : dialect.sqlToQuery(query.getSQL());
    return client.unsafe(q.sql, q.params as never[], { prepare: true });
  };
  return { execute } as unknown as Db;
}
