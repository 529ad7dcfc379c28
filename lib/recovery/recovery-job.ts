import type { Logger } from 'pino';
import type { Db } from '@/db/client';
import type { TossClient } from '@/lib/psp/toss-client';
import type { SimulatedNow } from './database-clock';
import type { RecoveryPolicy } from './recovery-policy';

/** What every recovery job is given for one pass. */
export interface RecoveryContext {
  db: Db;
  psp: TossClient;
  policy: RecoveryPolicy;
  log: Logger;
  /** The simulator's clock; unset in production (the database's now() decides). */
  at?: SimulatedNow;
}

/** What one job did in one pass: counts by outcome, and the items that threw. */
export interface JobReport {
  outcomes: Record<string, number>;
  failed: number;
}

export interface RecoveryJob {
  /** Stable, for logs and the tick's report. */
  name: string;
  run(ctx: RecoveryContext): Promise<JobReport>;
}

/**
 * Runs `act` on each item on its own: an item that throws is logged and counted, and the next
 * item still runs (one bad payment or refund must not starve the rest; the next pass tries it
 * again). `act` returns the outcome to count, or null to count nothing.
 */
export async function eachIsolated<T>(
  ctx: RecoveryContext,
  job: string,
  items: readonly T[],
  describe: (item: T) => Record<string, unknown>,
  act: (item: T) => Promise<string | null>,
): Promise<JobReport> {
  const report: JobReport = { outcomes: {}, failed: 0 };
  for (const item of items) {
    try {
      const outcome = await act(item);
      if (outcome) report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
    } catch (err) {
      report.failed++;
      ctx.log.warn({ job, ...describe(item), err: err instanceof Error ? err.message : String(err) }, 'recovery item failed; the next pass tries it again');
    }
  }
  return report;
}
