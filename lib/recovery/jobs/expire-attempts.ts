import { and, eq, lte } from 'drizzle-orm';
import { payments } from '@/db/schema';
import { failPayment } from '@/lib/payments/finish-payment';
import { databaseAgo } from '../database-clock';
import { eachIsolated, type RecoveryJob } from '../recovery-job';

/**
 * Attempts never authenticated within the PSP's window (30 minutes) can no longer be paid:
 * they end as FAILURE, so no order waits forever. A shopper who comes back gets a new attempt.
 */
export const expireAttemptsJob: RecoveryJob = {
  name: 'expiry',
  async run(ctx) {
    const stale = await ctx.db.select().from(payments)
      .where(and(eq(payments.status, 'NOT_STARTED'), lte(payments.createdAt, databaseAgo(ctx.policy.windowExpiryMs, ctx.at))))
      .limit(ctx.policy.batch.expiry);
    return eachIsolated(ctx, 'expiry', stale, (p) => ({ paymentId: p.id }), async (p) => {
      const moved = await failPayment(ctx.db, p, { code: 'PAYMENT_WINDOW_EXPIRED', message: 'The payment window expired before the payment was authenticated.' }, 'recovery', ['NOT_STARTED']);
      return moved ? 'expired' : null;
    });
  },
};
