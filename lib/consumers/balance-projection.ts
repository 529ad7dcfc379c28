import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { consumedEvents, merchantBalances } from '@/db/schema';
import type { ConsumerSpec, Delivered } from './run-consumer';
import { PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';

export const BALANCE_PROJECTION = 'balance-projection';

/**
 * Projects per-merchant balances from payment events. One transaction per fetched batch: the
 * consumed-event records and the balance changes commit together, and only events whose record
 * was new change a balance, so redelivered events (relay replays, consumer restarts) are no-ops.
 */
export async function applyBalanceEvents(db: Db, batch: Delivered[]): Promise<number> {
  // Rows are locked in one order, event ids then balances sorted, so two consumers handed the same
  // events in different orders (a rebalance's zombie, a replayed batch) queue behind each other
  // instead of deadlocking.
  const unique = [...new Map(batch.map((d) => [d.event.eventId, d.event])).values()].sort((a, b) => compare(a.eventId, b.eventId));
  return db.transaction(async (tx) => {
    const fresh = await tx.insert(consumedEvents)
      .values(unique.map((e) => ({ consumer: BALANCE_PROJECTION, eventId: e.eventId })))
      .onConflictDoNothing()
      .returning({ eventId: consumedEvents.eventId });
    const freshIds = new Set(fresh.map((r) => r.eventId));
    const deltas = new Map<string, { merchantId: string; currency: string; payable: bigint; approved: number; failed: number }>();
    for (const e of unique) {
      if (!freshIds.has(e.eventId)) continue;
      const key = `${e.merchantId}/${e.currency}`;
      const d = deltas.get(key) ?? { merchantId: e.merchantId, currency: e.currency, payable: 0n, approved: 0, failed: 0 };
      if (e.type === 'PaymentApproved') {
        d.payable += BigInt(e.amount) - BigInt(e.platformFee);
        d.approved++;
      } else if (e.type === 'PaymentRefunded') {
        // A refund reverses the approved amount; the platform fee is not returned.
        d.payable -= BigInt(e.amount);
      } else if (e.type === 'PaymentDepositReversed') {
        // The bank took the deposit back: the approval is undone, fee included.
        d.payable -= BigInt(e.amount) - BigInt(e.platformFee);
        d.approved--;
      } else if (e.type === 'PaymentFailed') {
        d.failed++;
      }
      // PaymentAwaitingDeposit moves no money.
      deltas.set(key, d);
    }
    for (const [, d] of [...deltas].sort(([a], [b]) => compare(a, b))) {
      await tx.insert(merchantBalances)
        .values({ merchantId: d.merchantId, currency: d.currency, payable: d.payable, approvedCount: d.approved, failedCount: d.failed })
        .onConflictDoUpdate({
          target: [merchantBalances.merchantId, merchantBalances.currency],
          set: {
            payable: sql`${merchantBalances.payable} + excluded.payable`,
            approvedCount: sql`${merchantBalances.approvedCount} + excluded.approved_count`,
            failedCount: sql`${merchantBalances.failedCount} + excluded.failed_count`,
            updatedAt: sql`now()`,
          },
        });
    }
    return freshIds.size;
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function balanceProjection(db: Db): ConsumerSpec {
  return {
    name: BALANCE_PROJECTION,
    topics: [PAYMENT_EVENTS_TOPIC],
    handle: async (batch) => {
      await applyBalanceEvents(db, batch);
    },
  };
}
