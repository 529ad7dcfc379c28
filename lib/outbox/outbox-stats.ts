import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';

export interface OutboxStats {
  backlog: number;
  /** Age of the oldest unpublished event, in seconds (0 when the backlog is empty). */
  oldestAgeSeconds: number;
  publishedLastMinute: number;
}

export async function outboxStats(db: DbOrTx): Promise<OutboxStats> {
  const [row] = (await db.execute(sql`
    select
      (select count(*) from outbox where published_at is null)::int as backlog,
      coalesce((select extract(epoch from now() - min(created_at)) from outbox where published_at is null), 0)::float8 as oldest,
      (select count(*) from outbox where published_at > now() - interval '1 minute')::int as last_minute`)) as unknown as { backlog: number; oldest: number; last_minute: number }[];
  return { backlog: row!.backlog, oldestAgeSeconds: row!.oldest, publishedLastMinute: row!.last_minute };
}
