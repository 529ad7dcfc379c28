import { and, inArray, isNull, lte, or } from 'drizzle-orm';
import { refunds } from '@/db/schema';
import { executeRefund } from '@/lib/refunds/execute-refund';
import { databaseAgo, databaseNow } from '../database-clock';
import { eachIsolated, type RecoveryJob } from '../recovery-job';

/** Refunds whose cancel outcome we did not learn are sent again with their own Idempotency-Key. */
export const retryRefundsJob: RecoveryJob = {
  name: 'refunds',
  async run(ctx) {
    const due = await ctx.db.select().from(refunds)
      .where(and(
        inArray(refunds.status, ['PENDING', 'UNKNOWN']),
        lte(refunds.updatedAt, databaseAgo(ctx.policy.graceMs, ctx.at)),
        or(isNull(refunds.nextAttemptAt), lte(refunds.nextAttemptAt, databaseNow(ctx.at))),
      ))
      .limit(ctx.policy.batch.refunds);
    return eachIsolated(ctx, 'refunds', due, (r) => ({ refundId: r.id, paymentId: r.paymentId }), async (r) => {
      const after = await executeRefund(ctx.db, ctx.psp, r, 'recovery');
      return after.status.toLowerCase();
    });
  },
};
