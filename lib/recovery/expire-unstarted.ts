import { and, eq, lte } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { payments } from '@/db/schema';
import { failPayment } from '@/lib/payments/finish-payment';

/**
 * Attempts never authenticated within the PSP's window (30 minutes) can no longer be paid:
 * they end as FAILURE, so no order waits forever. A shopper who comes back gets a new attempt.
 */
export async function expireUnstartedAttempts(db: Db, windowMs: number, now = new Date(), limit = 200): Promise<number> {
  const stale = await db.select().from(payments)
    .where(and(eq(payments.status, 'NOT_STARTED'), lte(payments.createdAt, new Date(now.getTime() - windowMs))))
    .limit(limit);
  let expired = 0;
  for (const p of stale) {
    const moved = await failPayment(db, p, { code: 'PAYMENT_WINDOW_EXPIRED', message: 'The payment window expired before the payment was authenticated.' }, 'recovery', ['NOT_STARTED']);
    if (moved) expired++;
  }
  return expired;
}
