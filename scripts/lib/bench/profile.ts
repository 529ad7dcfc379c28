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
  toplevel: boolean;
}

/**
 * Writes the app database's statements per payment and returns a short summary: first the
 * top-level ones (each a client round trip, by calls), then every statement by time (nested
 * ones included: foreign-key checks and trigger bodies are statements to pg_stat_statements,
 * which is why "statements" is several times "round trips").
 */
export async function writeStatementReport(database: Database, payments: number, file: string): Promise<string> {
  const rows = (await database.sql`
    select s.calls::text, s.total_exec_time as total_ms, s.mean_exec_time as mean_ms, s.rows::text, s.query, s.toplevel
      from pg_stat_statements s join pg_database d on d.oid = s.dbid
     where d.datname = current_database()
     order by s.total_exec_time desc`) as unknown as StatementRow[];
  const per = (calls: number) => calls / Math.max(payments, 1);
  const sum = (rs: StatementRow[], f: (r: StatementRow) => number) => rs.reduce((n, r) => n + f(r), 0);
  const line = (r: StatementRow) =>
    `${per(Number(r.calls)).toFixed(2).padStart(13)}  ${r.total_ms.toFixed(0).padStart(8)}  ${r.mean_ms.toFixed(3).padStart(8)}  ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`;
  const top = rows.filter((r) => r.toplevel).sort((a, b) => Number(b.calls) - Number(a.calls));
  const totalCalls = sum(rows, (r) => Number(r.calls));
  const topCalls = sum(top, (r) => Number(r.calls));
  const totalMs = sum(rows, (r) => r.total_ms);
  const lines = [
    `payments: ${payments}; statements: ${totalCalls} (${per(totalCalls).toFixed(1)} per payment), of them top-level (round trips): ${topCalls} (${per(topCalls).toFixed(1)} per payment); execution time ${totalMs.toFixed(0)} ms (${per(totalMs).toFixed(2)} ms per payment)`,
    '',
    'Round trips: top-level statements by calls',
    'calls/payment  total ms   mean ms  query',
    ...top.filter((r) => per(Number(r.calls)) >= 0.005).map(line),
    '',
    'Every statement by time (nested included)',
    'calls/payment  total ms   mean ms  query',
    ...rows.slice(0, 40).map(line),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return lines[0]!;
}

export const profileDir = (out: string) => path.join(out, 'profile');

/**
 * EXPLAIN ANALYZE of the scans the workers repeat all day, run against the outbox backlog and
 * the payments the benchmark just made (no relay runs during the benchmark, so every event of
 * the run is unpublished: the relay's worst case). Read-only: the row locks of FOR UPDATE end
 * with each statement's own transaction.
 */
export async function writeScanPlans(database: Database, file: string): Promise<string> {
  const scans: [string, string][] = [
    ['outbox relay claim (500 oldest unpublished)', `select id, event_id, event_type, aggregate_id, payload from outbox where published_at is null order by id limit 500 for update skip locked`],
    ['recovery claim (unfinished payments due)', `select id from payments where status in ('EXECUTING', 'UNKNOWN') and needs_attention is null and updated_at <= now() - interval '30 seconds' and (next_recovery_at is null or next_recovery_at <= now()) order by updated_at limit 100 for update skip locked`],
    ['unstarted attempts to expire', `select id from payments where status = 'NOT_STARTED' and created_at < now() - interval '30 minutes' limit 200`],
    ['order status (one order with its attempts)', `select * from orders o left join payments p on p.order_id = o.id where o.id = (select id from orders order by created_at desc limit 1)`],
  ];
  const [counts] = await database.sql`select (select count(*) from outbox)::int as outbox, (select count(*) from outbox where published_at is null)::int as unpublished, (select count(*) from payments)::int as payments`;
  const out = [`rows: outbox ${counts!.outbox} (${counts!.unpublished} unpublished), payments ${counts!.payments}`, ''];
  for (const [name, query] of scans) {
    const plan = await database.sql.unsafe(`explain (analyze, buffers, costs off) ${query}`)
      .then((rows) => rows.map((r) => String(r['QUERY PLAN'])), (err: Error) => [`(failed: ${err.message})`]);
    out.push(`## ${name}`, query, ...plan, '');
  }
  writeFileSync(file, `${out.join('\n')}\n`);
  return out[0]!;
}
