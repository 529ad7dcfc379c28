import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '@/db/client';
import { consumedEvents, merchantBalances } from '@/db/schema';
import { applyBalanceEvents, BALANCE_PROJECTION } from '@/lib/consumers/balance-projection';
import type { Delivered } from '@/lib/consumers/run-consumer';
import type { PaymentEvent } from '@/lib/events/contract';
import { PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';
import { createIsolatedDatabase } from '../helpers/db';
import { insertApprovedEvents } from '../helpers/synthetic-events';

// Its own database: the test waits until backends of this database are blocked on row locks.
let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
beforeAll(async () => {
  database = await createIsolatedDatabase();
});
afterAll(async () => {
  await database.close();
});

const delivered = (events: PaymentEvent[]): Delivered[] =>
  events.map((event, i) => ({ event, topic: PAYMENT_EVENTS_TOPIC, partition: 0, offset: String(i), headers: {} }));

async function lockWaiters(): Promise<number> {
  const [w] = (await database.db.execute(sql`select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'`)) as unknown as { n: number }[];
  return w!.n;
}

/**
 * Runs both batches at once while another transaction holds the rows they lock first, then lets
 * go: both start taking locks in the same instant, which turns any difference in lock order into
 * a deadlock every time rather than now and then.
 */
async function applyTogetherAfter(hold: (tx: Tx) => Promise<unknown>, a: Delivered[], b: Delivered[]) {
  const release = new Error('release the held rows');
  let both: Promise<PromiseSettledResult<number>[]> | undefined;
  await expect(database.db.transaction(async (tx) => {
    await hold(tx);
    both = Promise.allSettled([applyBalanceEvents(database.db, a), applyBalanceEvents(database.db, b)]);
    for (let i = 0; (await lockWaiters()) < 2; i++) {
      if (i > 500) throw new Error('the two batches never both waited for the held rows');
      await new Promise((r) => setTimeout(r, 10));
    }
    throw release; // rolls back: both batches go on at once
  })).rejects.toBe(release);
  return both!;
}

/** Each batch's outcome: 'applied', or why it failed (PostgreSQL's error is the cause). */
const outcomes = (results: PromiseSettledResult<number>[]) =>
  results.map((r) => (r.status === 'rejected' ? String((r.reason as { cause?: Error }).cause ?? r.reason) : 'applied'));

/**
 * The 10,000-seed simulation (seed 257026) had two consumers apply overlapping batches in
 * different orders at once, as a rebalance's zombie and its successor do, and PostgreSQL aborted
 * one with "deadlock detected". Nothing was lost (the batch is retried), but a consumer must not
 * fail on redelivery, its normal case. The projection now takes its locks in one order.
 */
describe('the balance projection takes its row locks in one order', () => {
  it('two consumers applying the same events in opposite orders: no deadlock, each event once', { timeout: 30_000 }, async () => {
    // Many events, so that after the release neither batch can finish before the other starts:
    // in opposite orders they would meet in the middle, each holding what the other needs next.
    const { events, merchantId } = await insertApprovedEvents(database.db, 500);
    const ascending = delivered(events);
    const descending = delivered([...events].reverse());
    const results = await applyTogetherAfter(
      // What a third consumer's uncommitted batch holds: the consumed records of both ends.
      (tx) => tx.insert(consumedEvents).values([events[0]!, events.at(-1)!].map((e) => ({ consumer: BALANCE_PROJECTION, eventId: e.eventId }))),
      ascending,
      descending,
    );
    expect(outcomes(results)).toEqual(['applied', 'applied']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : -1)).sort((a, b) => a - b)).toEqual([0, 500]);
    const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId));
    expect(b?.approvedCount).toBe(500);
  });

  it('two consumers changing the same two balances in opposite orders: no deadlock, both applied', { timeout: 30_000 }, async () => {
    const one = await insertApprovedEvents(database.db, 3);
    const two = await insertApprovedEvents(database.db, 3);
    // Each merchant has a balance row already.
    await applyBalanceEvents(database.db, delivered([one.events[0]!, two.events[0]!]));
    const merchantIds = [one.merchantId, two.merchantId];
    const results = await applyTogetherAfter(
      // A third batch's uncommitted balance changes hold both rows.
      (tx) => tx.update(merchantBalances).set({ updatedAt: sql`now()` }).where(inArray(merchantBalances.merchantId, merchantIds)),
      delivered([one.events[1]!, two.events[1]!]),
      delivered([two.events[2]!, one.events[2]!]),
    );
    expect(outcomes(results)).toEqual(['applied', 'applied']);
    const balances = await database.db.select().from(merchantBalances).where(inArray(merchantBalances.merchantId, merchantIds));
    expect(balances.map((b) => b.approvedCount)).toEqual([3, 3]);
  });
});
