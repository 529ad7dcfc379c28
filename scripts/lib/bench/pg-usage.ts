/**
 * Where PostgreSQL's work comes from, per database and per client application, for the benchmark:
 * statements and client round trips (pg_stat_statements, which the bench's server preloads) and
 * the CPU of the backends serving each application (from /proc, by pg_stat_activity's pid).
 */
import type { Database } from '@/db/client';
import { processTreeCpuMs } from './cpu-usage';

export interface StatementCounts {
  /** Every statement executed, nested ones (inside functions) included. */
  statements: number;
  /** Top-level statements: one client round trip each (postgres.js sends Parse/Bind/Execute/Sync per query; BEGIN and COMMIT count). */
  roundTrips: number;
}

/** Running totals per database since the last pg_stat_statements reset; subtract two readings. */
export async function statementCounts(database: Database): Promise<Map<string, StatementCounts>> {
  await database.sql`create extension if not exists pg_stat_statements`;
  const rows = await database.sql<{ datname: string; statements: string; top: string }[]>`
    select d.datname, coalesce(sum(s.calls), 0)::text as statements, coalesce(sum(s.calls) filter (where s.toplevel), 0)::text as top
      from pg_stat_statements s join pg_database d on d.oid = s.dbid
     group by d.datname`;
  return new Map(rows.map((r) => [r.datname, { statements: Number(r.statements), roundTrips: Number(r.top) }]));
}

export function statementDelta(before: Map<string, StatementCounts>, after: Map<string, StatementCounts>, datname: string): StatementCounts {
  const b = before.get(datname) ?? { statements: 0, roundTrips: 0 };
  const a = after.get(datname) ?? { statements: 0, roundTrips: 0 };
  return { statements: a.statements - b.statements, roundTrips: a.roundTrips - b.roundTrips };
}

/**
 * CPU milliseconds so far of the live backends of each application_name. Pools keep their
 * connections for the whole run, so a difference of two readings is that application's share of
 * PostgreSQL's CPU; backends that come and go in between fall to the postmaster's total only.
 */
export async function backendCpuByApplication(database: Database): Promise<Map<string, Map<number, number>>> {
  const rows = await database.sql<{ pid: number; app: string }[]>`
    select pid, application_name as app from pg_stat_activity where backend_type = 'client backend'`;
  const byApp = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const pids = byApp.get(r.app) ?? new Map<number, number>();
    pids.set(r.pid, processTreeCpuMs(r.pid));
    byApp.set(r.app, pids);
  }
  return byApp;
}

/** CPU ms of `app`'s backends between two readings (backends present in both). */
export function backendCpuDelta(before: Map<string, Map<number, number>>, after: Map<string, Map<number, number>>, app: string): number {
  const b = before.get(app);
  const a = after.get(app);
  if (!a) return 0;
  let ms = 0;
  for (const [pid, end] of a) ms += end - (b?.get(pid) ?? end);
  return ms;
}
