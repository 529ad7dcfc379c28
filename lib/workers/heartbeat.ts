import os from 'node:os';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';

/** How often a worker beats; the dashboard calls it down after HEARTBEAT_MISSED_BEATS missed beats. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_MISSED_BEATS = 3;

/** One beat: this instance of `name` is alive now (by the database's clock, like every other age). */
export async function beat(db: DbOrTx, name: string, instance: string): Promise<void> {
  await db.execute(sql`insert into worker_heartbeats (name, instance) values (${name}, ${instance})
    on conflict (name, instance) do update set beat_at = now()`);
}

/**
 * Beats every interval until stopped. A failed beat (the database restarting) is only logged:
 * the worker keeps working, and the missing beats are what tells the dashboard.
 */
export function startHeartbeat(db: DbOrTx, name: string, onError: (err: unknown) => void, intervalMs = HEARTBEAT_INTERVAL_MS): { instance: string; stop(): void } {
  const instance = `${os.hostname()}:${process.pid}`;
  const tick = () => beat(db, name, instance).catch(onError);
  void tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { instance, stop: () => clearInterval(timer) };
}
