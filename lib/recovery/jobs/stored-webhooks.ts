import { and, isNull, lte } from 'drizzle-orm';
import { pspWebhookReceipts } from '@/db/schema';
import { processPspWebhook } from '@/lib/psp-webhooks/receive-psp-webhook';
import { databaseAgo } from '../database-clock';
import { eachIsolated, type RecoveryJob } from '../recovery-job';

/** PSP webhooks stored but not processed (the receiver died or the PSP lookup failed). */
export const storedWebhooksJob: RecoveryJob = {
  name: 'webhooks',
  async run(ctx) {
    const pending = await ctx.db.select({ id: pspWebhookReceipts.transmissionId }).from(pspWebhookReceipts)
      .where(and(isNull(pspWebhookReceipts.processedAt), lte(pspWebhookReceipts.receivedAt, databaseAgo(ctx.policy.storedWebhookAgeMs, ctx.at))))
      .limit(ctx.policy.batch.webhooks);
    return eachIsolated(ctx, 'webhooks', pending, (w) => ({ transmissionId: w.id }), async (w) => {
      await processPspWebhook(ctx.db, ctx.psp, w.id);
      return 'processed';
    });
  },
};
