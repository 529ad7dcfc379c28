import { and, inArray, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { refunds } from '@/db/schema';
import type { TossClient } from '@/lib/psp/toss-client';
import { executeRefund } from '@/lib/refunds/execute-refund';

/** Refunds whose cancel outcome we did not learn are sent again with their own Idempotency-Key. */
export async function retryUnfinishedRefunds(db: Db, psp: TossClient, graceMs: number, now = new Date(), limit = 100): Promise<number> {
  const due = await db.select().from(refunds)
    .where(and(
      inArray(refunds.status, ['PENDING', 'UNKNOWN']),
      lte(refunds.updatedAt, new Date(now.getTime() - graceMs)),
      or(isNull(refunds.nextAttemptAt), lte(refunds.nextAttemptAt, now)),
    ))
    .limit(limit);
  for (const r of due) await executeRefund(db, psp, r, 'recovery');
  return due.length;
}
