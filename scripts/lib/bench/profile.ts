/**
 * `npm run bench -- --profile`: where a payment's time goes. PostgreSQL's pg_stat_statements
 * (statements per payment, time per statement) and V8 CPU profiles of the web process
 * (`--cpu-prof`; open the .cpuprofile in Chrome DevTools or speedscope).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '@/db/client';

export const PROFILE_PG_SETTINGS = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' };

/** V8 writes the profile when the process exits; `next start` exits on SIGTERM. */
export function profileWebNodeArgs(dir: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

export async function resetStatementStats(database: Database): Promise<void> {
  await database.sql`create extension if not exists pg_stat_statements`;
  await database.sql`select pg_stat_statements_reset()`;
}

interface StatementRow {
  calls: string;
  total_ms: number;
  mean_ms: number;
  rows: string;
  query: string;
}

/** Writes the top statements of the app's database and returns a short summary. */
export async function writeStatementReport(database: Database, payments: number, file: string): Promise<string> {
  const rows = (await database.sql`
    select s.calls::text, s.total_exec_time as total_ms, s.mean_exec_time as mean_ms, s.rows::text, s.query
      from pg_stat_statements s join pg_database d on d.oid = s.dbid
     where d.datname = current_database()
     order by s.total_exec_time desc`) as unknown as StatementRow[];
  const totalCalls = rows.reduce((n, r) => n + Number(r.calls), 0);
  const totalMs = rows.reduce((n, r) => n + r.total_ms, 0);
  const lines = [
    `payments: ${payments}; statements: ${totalCalls} (${(totalCalls / Math.max(payments, 1)).toFixed(1)} per payment); execution time ${totalMs.toFixed(0)} ms (${(totalMs / Math.max(payments, 1)).toFixed(2)} ms per payment)`,
    '',
    'calls/payment  total ms   mean ms  query',
    ...rows.slice(0, 40).map((r) =>
      `${(Number(r.calls) / Math.max(payments, 1)).toFixed(2).padStart(13)}  ${r.total_ms.toFixed(0).padStart(8)}  ${r.mean_ms.toFixed(3).padStart(8)}  ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return lines[0]!;
}

export const profileDir = (out: string) => path.join(out, 'profile');
