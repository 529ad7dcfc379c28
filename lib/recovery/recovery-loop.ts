import { and, eq, isNull, lte } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '@/db/client';
import { pspWebhookReceipts, reconciliationRuns } from '@/db/schema';
import { processPspWebhook } from '@/lib/psp-webhooks/receive-psp-webhook';
import type { TossClient } from '@/lib/psp/toss-client';
import { kstDateOf } from '@/lib/kst';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { expireUnstartedAttempts } from './expire-unstarted';
import { claimDuePayments, recoverPayment, type RecoveryPolicy } from './recover-payment';
import { retryUnfinishedRefunds } from './retry-refunds';


export interface RecoveryTickResult {
  recovered: Record<string, number>;
  expired: number;
  refundsRetried: number;
  webhooksProcessed: number;
  reconciled: boolean;
}

/**
 * One pass of the recovery worker: finish unfinished payments, expire unauthenticated attempts,
 * retry refunds with unknown outcome, process stored PSP webhooks that were not processed, and
 * run yesterday's reconciliation once a day. Each step is idempotent, so passes may overlap
 * across worker instances.
 */
export async function recoveryTick(db: Db, psp: TossClient, policy: RecoveryPolicy, log: Logger, now = new Date(), opts: { dailyReconciliation?: boolean } = {}): Promise<RecoveryTickResult> {
  const recovered: Record<string, number> = {};
  for (const p of await claimDuePayments(db, policy, 50, now)) {
    try {
      const outcome = await recoverPayment(db, psp, p, policy, now);
      recovered[outcome] = (recovered[outcome] ?? 0) + 1;
      log.info({ paymentId: p.id, attempt: p.recoveryAttempts, outcome }, 'recovery');
    } catch (err) {
      recovered.error = (recovered.error ?? 0) + 1;
      log.warn({ paymentId: p.id, err: (err as Error).message }, 'recovery attempt failed; will retry');
    }
  }
  const expired = await expireUnstartedAttempts(db, policy.windowExpiryMs, now);
  const refundsRetried = await retryUnfinishedRefunds(db, psp, policy.graceMs, now);
  let webhooksProcessed = 0;
  const pending = await db.select({ id: pspWebhookReceipts.transmissionId }).from(pspWebhookReceipts)
    .where(and(isNull(pspWebhookReceipts.processedAt), lte(pspWebhookReceipts.receivedAt, new Date(now.getTime() - 10_000)))).limit(100);
  for (const w of pending) {
    try {
      await processPspWebhook(db, psp, w.id);
      webhooksProcessed++;
    } catch (err) {
      log.warn({ transmissionId: w.id, err: (err as Error).message }, 'stored webhook not processed yet');
    }
  }
  let reconciled = false;
  if (opts.dailyReconciliation) {
    const yesterday = kstDateOf(new Date(now.getTime() - 86_400_000));
    const [done] = await db.select({ id: reconciliationRuns.id }).from(reconciliationRuns)
      .where(and(eq(reconciliationRuns.trigger, 'schedule'), eq(reconciliationRuns.fromDate, yesterday))).limit(1);
    if (!done) {
      const run = await runReconciliation(db, psp, { fromDate: yesterday, toDate: yesterday }, 'schedule');
      log.info({ ...run }, 'daily reconciliation');
      reconciled = true;
    }
  }
  return { recovered, expired, refundsRetried, webhooksProcessed, reconciled };
}
