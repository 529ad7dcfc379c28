import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { payments, refunds } from '@/db/schema';
import { executeRefund } from '@/lib/refunds/execute-refund';
import { databaseAgo, databaseNow } from '../database-clock';
import { flagForAttention } from '../recover-payment';
import { eachIsolated, type RecoveryContext, type RecoveryJob } from '../recovery-job';

/**
 * Refunds whose cancel outcome we did not learn are sent again with their own Idempotency-Key,
 * with the policy's backoff. They are never given up (the money stays reserved until the PSP
 * answers), but past the retry cap their payment is flagged for a person.
 */
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
      if (after.status !== 'UNKNOWN' && after.status !== 'PENDING') return after.status.toLowerCase();
      return (await backOff(ctx, r.id)) ? 'needs-attention' : 'retry-later';
    });
  },
};

/** Sets the next try by the policy's backoff; true when the retry cap is reached (and the payment flagged). */
async function backOff(ctx: RecoveryContext, refundId: string): Promise<boolean> {
  const { baseDelayMs, maxDelayMs, maxAttempts } = ctx.policy;
  const delay = sql`least(${baseDelayMs}::bigint * power(2, greatest(${refunds.attempts} - 1, 0))::bigint, ${maxDelayMs}::bigint) * interval '1 millisecond'`;
  const [r] = await ctx.db.update(refunds).set({ nextAttemptAt: sql`${databaseNow(ctx.at)} + ${delay}` })
    .where(and(eq(refunds.id, refundId), inArray(refunds.status, ['PENDING', 'UNKNOWN'])))
    .returning({ attempts: refunds.attempts, paymentId: refunds.paymentId });
  if (!r || r.attempts < maxAttempts) return false;
  const [payment] = await ctx.db.select().from(payments).where(eq(payments.id, r.paymentId));
  await flagForAttention(ctx.db, payment!, `refund ${refundId} has no known outcome after ${r.attempts} tries`);
  return true;
}
