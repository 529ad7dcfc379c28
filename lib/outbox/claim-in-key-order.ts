import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';

export interface ClaimedRow {
  id: string;
  event_id: string;
  event_type: string;
  aggregate_id: string;
  payload: unknown;
}

/**
 * The outbox's order rule: the events of one key (payment) reach Kafka in outbox order (id
 * order), with any number of relays.
 *
 * A relay claims the oldest unpublished rows with FOR UPDATE SKIP LOCKED, as before, but may
 * publish a claimed row only if every earlier unpublished row of the same key is in its own
 * claim. A row whose predecessor another relay holds (or skipped past) is held back: it stays
 * locked until this transaction ends and is claimed again afterwards. So one payment's events
 * never travel in two relays' transactions at once.
 *
 * Why this is enough: a row's published_at is set only in the transaction that holds it, after
 * Kafka acknowledged its commit. So if this statement sees an earlier row as published, that
 * row is already in the topic, ahead of anything sent now; if it sees it unpublished, the later
 * row waits. The oldest unpublished row has no predecessor and is always publishable: the
 * relays never all wait on each other. (Order between rows of one key follows their ids: the
 * writers of one payment's events hold that payment's row lock, so ids follow commit order.)
 *
 * Returns the rows to publish, in id order, and how many were claimed but held back.
 */
export async function claimInKeyOrder(tx: DbOrTx, batchSize: number): Promise<{ rows: ClaimedRow[]; heldBack: number }> {
  // MATERIALIZED: the claim (and its row locks) happens once; the check reads the claim.
  const rows = (await tx.execute(sql`
    with claimed as materialized (
      select id, event_id, event_type, aggregate_id, payload from outbox
      where published_at is null order by id limit ${batchSize}
      for update skip locked)
    select c.id::text, c.event_id, c.event_type, c.aggregate_id, c.payload,
      not exists (
        select 1 from outbox e
        where e.aggregate_id = c.aggregate_id and e.published_at is null and e.id < c.id
          and e.id not in (select id from claimed)) as publishable
    from claimed c order by c.id`)) as unknown as (ClaimedRow & { publishable: boolean })[];
  const publishable = rows.filter((r) => r.publishable).map(({ publishable: _, ...row }) => row);
  return { rows: publishable, heldBack: rows.length - publishable.length };
}
