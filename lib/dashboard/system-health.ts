import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { outboxStats, type OutboxStats } from '@/lib/outbox/outbox-stats';
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_MISSED_BEATS } from '@/lib/workers/heartbeat';

/** The workers a running system needs; each writes heartbeats under this name (lib/workers/worker-runtime.ts). */
export const EXPECTED_WORKERS = ['outbox-relay', 'consumers', 'recovery'] as const;
export type WorkerName = (typeof EXPECTED_WORKERS)[number];

/** An unpublished event older than this means the relay is not keeping up, even if it beats. */
export const OUTBOX_STALE_SECONDS = 60;

export interface WorkerHealth {
  name: WorkerName;
  alive: boolean;
  /** Live instances (beat within the allowed window). */
  instances: number;
  lastBeatAt: Date | null;
}

export interface SystemHealth {
  workers: WorkerHealth[];
  outbox: OutboxStats;
  /** Dead letters not replayed yet, platform-wide. */
  deadLetters: number;
  lastReconciliation: { startedAt: Date; finishedAt: Date | null; error: string | null } | null;
  /** What is wrong, for the banner (which puts it in words); empty when all is well. */
  problems: SystemProblem[];
}

export type SystemProblem =
  | { kind: 'worker-down'; worker: WorkerName; lastBeatAt: Date | null }
  | { kind: 'outbox-stale'; backlog: number; oldestAgeSeconds: number };

/**
 * The platform's health as the dashboard shows it. A worker is alive when one of its instances
 * beat within HEARTBEAT_MISSED_BEATS intervals (by the database's clock). Consumer lag is not
 * measured here (it needs the Kafka admin API from the web app); the outbox age and the dead
 * letters show a pipeline that stopped.
 */
export async function getSystemHealth(db: DbOrTx): Promise<SystemHealth> {
  const windowMs = HEARTBEAT_INTERVAL_MS * HEARTBEAT_MISSED_BEATS;
  const beats = (await db.execute(sql`
    select name, max(beat_at) as last_beat,
      count(*) filter (where beat_at > now() - ${windowMs}::int * interval '1 millisecond')::int as live
    from worker_heartbeats group by name`)) as unknown as { name: string; last_beat: string | Date; live: number }[];
  const byName = new Map(beats.map((b) => [b.name, b]));
  const workers = EXPECTED_WORKERS.map((name) => {
    const b = byName.get(name);
    return { name, alive: (b?.live ?? 0) > 0, instances: b?.live ?? 0, lastBeatAt: b ? new Date(b.last_beat) : null };
  });
  const outbox = await outboxStats(db);
  const [dead] = (await db.execute(sql`select count(*)::int as n from dead_letters where replayed_at is null`)) as unknown as { n: number }[];
  const [recon] = (await db.execute(sql`select started_at, finished_at, error from reconciliation_runs order by started_at desc limit 1`)) as unknown as
    { started_at: string | Date; finished_at: string | Date | null; error: string | null }[];

  const problems: SystemProblem[] = [];
  for (const w of workers) {
    if (!w.alive) problems.push({ kind: 'worker-down', worker: w.name, lastBeatAt: w.lastBeatAt });
  }
  if (outbox.backlog > 0 && outbox.oldestAgeSeconds > OUTBOX_STALE_SECONDS) {
    problems.push({ kind: 'outbox-stale', backlog: outbox.backlog, oldestAgeSeconds: outbox.oldestAgeSeconds });
  }
  return {
    workers,
    outbox,
    deadLetters: dead!.n,
    lastReconciliation: recon ? { startedAt: new Date(recon.started_at), finishedAt: recon.finished_at ? new Date(recon.finished_at) : null, error: recon.error } : null,
    problems,
  };
}
