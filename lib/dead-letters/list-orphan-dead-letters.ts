import { count, desc, isNull } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { auditLog, deadLetters } from '@/db/schema';
import type { Page } from '@/lib/dashboard/page';

/** Dead letters that belong to no merchant (payload not a valid event): only operators see these. */
export async function listOrphanDeadLetters(db: DbOrTx, page: number, pageSize = 20): Promise<Page<typeof deadLetters.$inferSelect>> {
  const where = isNull(deadLetters.merchantId);
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(deadLetters).where(where);
  const rows = await db.select().from(deadLetters).where(where).orderBy(desc(deadLetters.lastFailedAt), desc(deadLetters.id)).limit(pageSize).offset((page - 1) * pageSize);
  return { rows, page, pageSize, total, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}

/** The platform's own audit entries (operator actions, merchant-less), newest first. */
export async function listOperatorAudit(db: DbOrTx, limit = 50) {
  return db.select().from(auditLog).where(isNull(auditLog.merchantId)).orderBy(desc(auditLog.id)).limit(limit);
}
