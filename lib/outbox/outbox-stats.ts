import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';

export interface OutboxStats {
  backlog: number;
  /** Age of the oldest unpublished event, in seconds (0 when the backlog is empty). */
  oldestAgeSeconds: number;
  publishedLastMinute: number;
}

/** Whole outbox (operators, relay metrics) or one merchant's events (dashboard). */
export async function outboxStats(db: DbOrTx, merchantId?: string): Promise<OutboxStats> {
  const scope = merchantId ? sql`and merchant_id = ${merchantId}` : sql``;
  const [row] = (await db.execute(sql`
    select
      (select count(*) from outbox where published_at is null ${scope})::int as backlog,
      coalesce((select extract(epoch from now() - min(created_at)) from outbox where published_at is null ${scope}), 0)::float8 as oldest,
      (select count(*) from outbox where published_at > now() - interval '1 minute' ${scope})::int as last_minute`)) as unknown as { backlog: number; oldest: number; last_minute: number }[];
  return { backlog: row!.backlog, oldestAgeSeconds: row!.oldest, publishedLastMinute: row!.last_minute };
}
