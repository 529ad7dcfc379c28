import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { paymentHistory, payments, type PaymentStatus } from '@/db/schema';

export type Payment = typeof payments.$inferSelect;

export interface TransitionInput {
  paymentId: string;
  from: PaymentStatus[];
  to: PaymentStatus;
  /** History event name, e.g. APPROVED, DECLINED, CONFIRM_STARTED. */
  event: string;
  actor: string;
  detail?: Record<string, unknown>;
  set?: Partial<Pick<Payment, 'pspPaymentKey' | 'failureCode' | 'failureMessage' | 'approvedAt'>>;
}

/**
 * The only way a payment changes state: a conditional update (`WHERE status IN from`) plus its
 * history row. Returns the moved payment, or null when the payment was no longer in an expected
 * state: somebody else (a concurrent confirm, the webhook, the poller) got there first, and the
 * caller must not repeat the effect.
 */
export async function transitionPayment(tx: DbOrTx, input: TransitionInput): Promise<Payment | null> {
  // The CTE locks the row and reads the state it is leaving, so history records the real
  // `from` even when several were allowed; a concurrent mover makes the CTE find nothing.
  const old = tx.$with('old').as(
    tx.select({ id: payments.id, fromStatus: sql<PaymentStatus>`${payments.status}`.as('from_status') })
      .from(payments)
      .where(and(eq(payments.id, input.paymentId), inArray(payments.status, input.from)))
      .for('update'),
  );
  const [row] = await tx.with(old).update(payments)
    .set({ ...input.set, status: input.to, updatedAt: sql`now()` })
    .from(old)
    .where(eq(payments.id, old.id))
    .returning({ ...getTableColumns(payments), fromStatus: old.fromStatus });
  if (!row) return null;
  const { fromStatus, ...moved } = row;
  await tx.insert(paymentHistory).values({
    paymentId: moved.id,
    fromStatus,
    toStatus: input.to,
    event: input.event,
    actor: input.actor,
    detail: input.detail ?? {},
  });
  return moved;
}

/** A history entry without a transition: a creation, or a rejected (tampered) redirect. */
export async function notePayment(
  tx: DbOrTx,
  entry: { paymentId: string; event: string; actor: string; detail?: Record<string, unknown>; status?: PaymentStatus },
): Promise<void> {
  const { status, ...rest } = entry;
  await tx.insert(paymentHistory).values({ ...rest, toStatus: status, detail: entry.detail ?? {} });
}
