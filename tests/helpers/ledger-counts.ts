import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { journals, outbox, paymentHistory, payments } from '@/db/schema';

/** What the database holds for one order: the facts the invariants are about. */
export async function orderFacts(db: Db, orderId: string) {
  const attempts = await db.select().from(payments).where(eq(payments.orderId, orderId));
  const ids = attempts.map((p) => p.id);
  const none = sql`false`;
  const journalRows = await db.select().from(journals).where(ids.length ? inArray(journals.paymentId, ids) : none);
  const events = await db.select().from(outbox).where(ids.length ? inArray(outbox.aggregateId, ids) : none);
  const history = await db.select().from(paymentHistory).where(ids.length ? inArray(paymentHistory.paymentId, ids) : none).orderBy(paymentHistory.id);
  return {
    attempts,
    statuses: attempts.map((p) => p.status).sort(),
    journals: journalRows,
    events,
    history: history.map((h) => h.event),
  };
}
