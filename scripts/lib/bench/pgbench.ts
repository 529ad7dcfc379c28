/**
 * The machine's ceiling for this PostgreSQL: pgbench's built-in TPC-B-like script (five
 * statements, one commit per transaction) against the same server our app runs on, in a
 * database of its own, at the same concurrency as the pay-flow load.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureDatabase } from '@/db/embedded';

const run = promisify(execFile);

export interface PgbenchTarget {
  /** A URL of the same server (any database on it). */
  serverUrl: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function pgbenchTarget(databaseUrl: string, database = 'pgbench'): PgbenchTarget {
  const url = new URL(databaseUrl);
  return { serverUrl: databaseUrl, host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database };
}

const envOf = (t: PgbenchTarget) => ({ ...process.env, PGPASSWORD: t.password });
const connArgs = (t: PgbenchTarget) => ['-h', t.host, '-p', String(t.port), '-U', t.user];

/** Creates and fills pgbench's tables (server-side generation: fastest). */
export async function initPgbench(t: PgbenchTarget, scale: number): Promise<void> {
  await ensureDatabase(t.serverUrl, t.database);
  await run('pgbench', [...connArgs(t), '-i', '-q', '-I', 'dtGvp', '-s', String(scale), t.database], { env: envOf(t), maxBuffer: 16 << 20 });
}

export interface PgbenchResult {
  clients: number;
  tps: number;
  latencyAvgMs: number;
}

export async function runPgbench(t: PgbenchTarget, clients: number, seconds: number): Promise<PgbenchResult> {
  const threads = Math.min(clients, 2); // 2 cores: more client threads only add switching
  const { stdout } = await run('pgbench', [...connArgs(t), '-n', '-M', 'prepared', '-c', String(clients), '-j', String(threads), '-T', String(seconds), t.database], {
    env: envOf(t),
    maxBuffer: 16 << 20,
  });
  const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
  if (!tps) throw new Error(`could not read pgbench's TPS from:\n${stdout}`);
  return { clients, tps: Number(tps), latencyAvgMs: Number(latency ?? NaN) };
}
