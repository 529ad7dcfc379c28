import { and, eq, ne } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { payments } from '@/db/schema';
import { newId } from '@/lib/ids';
import { notePayment, type Payment } from './transition';

export interface AttemptFor {
  orderId: string;
  merchantId: string;
  amount: bigint;
  currency: string;
}

/**
 * The order's live payment attempt: the one that is not FAILURE, created when there is none
 * (a new order, or a retry after a decline). The partial unique index "one live attempt per
 * order" makes concurrent calls agree on one attempt.
 */
export async function openPaymentAttempt(tx: DbOrTx, order: AttemptFor, actor: string): Promise<Payment> {
  const live = () => tx.select().from(payments).where(and(eq(payments.orderId, order.orderId), ne(payments.status, 'FAILURE')));
  // A conflict means a concurrent call created the live attempt. That attempt may have failed
  // already when we read it (its confirm was declined): then there is none again, so try anew.
  for (let round = 0; round < 3; round++) {
    const [existing] = await live();
    if (existing) return existing;
    const id = newId('pay');
    const [created] = await tx.insert(payments)
      .values({ id, ...order, status: 'NOT_STARTED', confirmIdempotencyKey: newId('cfm') })
      .onConflictDoNothing()
      .returning();
    if (created) {
      await notePayment(tx, { paymentId: created.id, event: 'CREATED', actor, status: 'NOT_STARTED', detail: { amount: Number(order.amount), currency: order.currency } });
      return created;
    }
  }
  throw new Error(`no live payment attempt for ${order.orderId} after 3 conflicts`);
}
