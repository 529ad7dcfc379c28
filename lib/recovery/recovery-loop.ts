import type { Logger } from 'pino';
import type { Db } from '@/db/client';
import type { TossClient } from '@/lib/psp/toss-client';
import type { SimulatedNow } from './database-clock';
import type { JobReport, RecoveryJob } from './recovery-job';
import { recoveryJobs } from './recovery-jobs';
import type { RecoveryPolicy } from './recovery-policy';

export interface RecoveryTickResult {
  /** Each job's report, by job name. */
  jobs: Record<string, JobReport>;
  /** Items (or whole jobs) that threw this pass; each is logged and tried again next pass. */
  failed: number;
}

/**
 * One pass of the recovery worker: every job of the registry, each on its own. A job that
 * throws is logged and counted; the jobs after it still run. Each job is idempotent, so passes
 * may overlap across worker instances.
 */
export async function recoveryTick(
  db: Db, psp: TossClient, policy: RecoveryPolicy, log: Logger,
  opts: { at?: SimulatedNow; jobs?: readonly RecoveryJob[] } = {},
): Promise<RecoveryTickResult> {
  const ctx = { db, psp, policy, log, at: opts.at };
  const result: RecoveryTickResult = { jobs: {}, failed: 0 };
  for (const job of opts.jobs ?? recoveryJobs) {
    let report: JobReport;
    try {
      report = await job.run(ctx);
    } catch (err) {
      report = { outcomes: {}, failed: 1 };
      log.error({ job: job.name, err: err instanceof Error ? err.message : String(err) }, 'recovery job failed; the next pass runs it again');
    }
    result.jobs[job.name] = report;
    result.failed += report.failed;
  }
  return result;
}

/** `payments {"finished":1} refunds {"succeeded":2} failed 1`: what a pass did, for logs and traces. */
export function describeTick(r: RecoveryTickResult): string {
  const parts = Object.entries(r.jobs).filter(([, j]) => Object.keys(j.outcomes).length).map(([name, j]) => `${name} ${JSON.stringify(j.outcomes)}`);
  if (r.failed) parts.push(`failed ${r.failed}`);
  return parts.join(' ') || 'nothing to do';
}
