import type { DbOrTx } from '@/db/client';
import { auditLog } from '@/db/schema';

/**
 * Call inside the transaction of the change it records, so both commit or neither does.
 * `merchantId` is null only for operator actions on what belongs to no merchant.
 */
export async function recordAudit(tx: DbOrTx, entry: { merchantId: string | null; actor: string; action: string; target?: string; detail?: Record<string, unknown> }): Promise<void> {
  await tx.insert(auditLog).values({ ...entry, detail: entry.detail ?? {} });
}
