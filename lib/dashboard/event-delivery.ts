import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { deadLetters, webhookDeliveries } from '@/db/schema';
import { outboxStats } from '@/lib/outbox/outbox-stats';
import type { Page } from './page';

export const CONSUMERS = ['balance-projection', 'webhook-notifier'] as const;

/** Event delivery as one merchant sees it: its outbox, how far each consumer got, its webhooks. */
export async function eventDeliveryOverview(db: DbOrTx, merchantId: string) {
  const outbox = await outboxStats(db, merchantId);
  // The merchant's events are read once; each consumer's progress is a join against them.
  const progress = (await db.execute(sql`
    with mine as (select distinct event_id, published_at is not null as published from outbox where merchant_id = ${merchantId})
    select c.name as consumer,
           (select count(*) from mine where published)::int as published,
           count(ce.event_id)::int as consumed,
           max(ce.consumed_at) as last_consumed_at
    from unnest(${`{${CONSUMERS.join(',')}}`}::text[]) as c(name)
    left join consumed_events ce on ce.consumer = c.name and ce.event_id in (select event_id from mine)
    group by c.name
    order by array_position(${`{${CONSUMERS.join(',')}}`}::text[], c.name)`)) as unknown as { consumer: string; published: number; consumed: number; last_consumed_at: Date | string | null }[];
  const deliveries = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.merchantId, merchantId)).orderBy(desc(webhookDeliveries.id)).limit(10);
  return {
    outbox,
    progress: progress.map((p) => ({ ...p, lastConsumedAt: p.last_consumed_at ? new Date(p.last_consumed_at) : null })),
    deliveries,
  };
}

export type DeadLetterRow = typeof deadLetters.$inferSelect;

export async function listDeadLetters(db: DbOrTx, merchantId: string, page: number, pageSize = 20): Promise<Page<DeadLetterRow>> {
  const where = eq(deadLetters.merchantId, merchantId);
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(deadLetters).where(where);
  const rows = await db.select().from(deadLetters).where(and(where)).orderBy(desc(deadLetters.lastFailedAt), desc(deadLetters.id)).limit(pageSize).offset((page - 1) * pageSize);
  return { rows, page, pageSize, total, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}
