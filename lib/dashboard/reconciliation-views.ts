import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { reconciliationItems, reconciliationRuns, type ReconciliationClass } from '@/db/schema';
import type { Page } from './page';

/** Runs with this merchant's own counts per class (items of other merchants are not shown). */
export async function listReconciliationRuns(db: DbOrTx, merchantId: string, page: number, pageSize = 20) {
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(reconciliationRuns);
  const runs = await db.select().from(reconciliationRuns).orderBy(desc(reconciliationRuns.startedAt)).limit(pageSize).offset((page - 1) * pageSize);
  const counts = runs.length
    ? await db.select({ runId: reconciliationItems.runId, classification: reconciliationItems.classification, n: count() })
        .from(reconciliationItems)
        .where(and(eq(reconciliationItems.merchantId, merchantId), sql`${reconciliationItems.runId} in ${runs.map((r) => r.id)}`))
        .groupBy(reconciliationItems.runId, reconciliationItems.classification)
    : [];
  const rows = runs.map((r) => ({
    ...r,
    mine: Object.fromEntries(counts.filter((c) => c.runId === r.id).map((c) => [c.classification, c.n])) as Partial<Record<ReconciliationClass, number>>,
  }));
  return { rows, page, pageSize, total, pageCount: Math.max(1, Math.ceil(total / pageSize)) } satisfies Page<(typeof rows)[number]>;
}

export async function listReconciliationItems(db: DbOrTx, merchantId: string, runId: string, opts: { mismatchesOnly: boolean; page: number; pageSize?: number }) {
  const pageSize = opts.pageSize ?? 50;
  const where = and(
    eq(reconciliationItems.runId, runId),
    eq(reconciliationItems.merchantId, merchantId),
    opts.mismatchesOnly ? sql`${reconciliationItems.classification} <> 'MATCHED'` : undefined,
  );
  const [run] = await db.select().from(reconciliationRuns).where(eq(reconciliationRuns.id, runId));
  if (!run) return null;
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(reconciliationItems).where(where);
  const rows = await db.select().from(reconciliationItems).where(where).orderBy(reconciliationItems.classification, reconciliationItems.id).limit(pageSize).offset((opts.page - 1) * pageSize);
  return { run, items: { rows, page: opts.page, pageSize, total, pageCount: Math.max(1, Math.ceil(total / pageSize)) } };
}
