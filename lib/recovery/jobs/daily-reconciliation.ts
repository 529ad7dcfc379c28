import { and, eq, sql } from 'drizzle-orm';
import { reconciliationRuns } from '@/db/schema';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { databaseNow } from '../database-clock';
import type { JobReport, RecoveryJob } from '../recovery-job';

/** Once a day, reconciliation of the KST day `lagDays` ago (yesterday by default) against the PSP. */
export const dailyReconciliationJob: RecoveryJob = {
  name: 'reconciliation',
  async run(ctx): Promise<JobReport> {
    const { daily, lagDays } = ctx.policy.reconciliation;
    if (!daily) return { outcomes: {}, failed: 0 };
    // The day by the database's clock, like every other job.
    const [row] = await ctx.db.execute<{ day: string }>(sql`select to_char((${databaseNow(ctx.at)} at time zone 'Asia/Seoul') - ${lagDays}::int * interval '1 day', 'YYYY-MM-DD') as day`);
    const day = row!.day;
    const [done] = await ctx.db.select({ id: reconciliationRuns.id }).from(reconciliationRuns)
      .where(and(eq(reconciliationRuns.trigger, 'schedule'), eq(reconciliationRuns.fromDate, day))).limit(1);
    if (done) return { outcomes: {}, failed: 0 };
    // At boot the worker can start before the PSP answers (the sandbox and the web app start
    // alongside it). A run then would be recorded as failed ("fetch failed") on a fresh dashboard
    // for no fault of the data; with no run recorded, the next pass tries again.
    const probe = await ctx.psp.settlements({ startDate: day, endDate: day, page: 1, size: 1 });
    if (probe.kind === 'no-answer') {
      ctx.log.info({ day, reason: probe.reason }, 'daily reconciliation waits: the PSP does not answer yet');
      return { outcomes: { 'waiting-for-psp': 1 }, failed: 0 };
    }
    const run = await runReconciliation(ctx.db, ctx.psp, { fromDate: day, toDate: day }, 'schedule');
    ctx.log.info({ ...run }, 'daily reconciliation');
    return { outcomes: { reconciled: 1 }, failed: 0 };
  },
};
