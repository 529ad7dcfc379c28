import { randomBytes } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '@/db/client';
import { auditLog, merchants } from '@/db/schema';
import { recordAudit } from '@/lib/audit/record-audit';
import type { Page } from '@/lib/dashboard/page';
import { assertPublicWebhookUrl } from '@/lib/security/webhook-destination';

export const webhookUrlSchema = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(500).or(z.literal(''));

export async function getMerchantSettings(db: DbOrTx, merchantId: string) {
  const [m] = await db.select({ name: merchants.name, webhookUrl: merchants.webhookUrl, hasSecret: merchants.webhookSecret }).from(merchants).where(eq(merchants.id, merchantId));
  return m ? { name: m.name, webhookUrl: m.webhookUrl ?? '', hasWebhookSecret: Boolean(m.hasSecret) } : null;
}

export async function setWebhookUrl(db: DbOrTx, merchantId: string, url: string, actor: string): Promise<void> {
  const value = webhookUrlSchema.parse(url) || null;
  if (value) await assertPublicWebhookUrl(value);
  await db.transaction(async (tx) => {
    await tx.update(merchants).set({ webhookUrl: value }).where(eq(merchants.id, merchantId));
    await recordAudit(tx, { merchantId, actor, action: 'webhook-url.changed', detail: { url: value } });
  });
}

/** A new signing secret, returned once; deliveries from now on are signed with it. */
export async function rotateWebhookSecret(db: DbOrTx, merchantId: string, actor: string): Promise<string> {
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  await db.transaction(async (tx) => {
    await tx.update(merchants).set({ webhookSecret: secret }).where(eq(merchants.id, merchantId));
    await recordAudit(tx, { merchantId, actor, action: 'webhook-secret.rotated' });
  });
  return secret;
}

export async function listAuditLog(db: DbOrTx, merchantId: string, page: number, pageSize = 50): Promise<Page<typeof auditLog.$inferSelect> & { hasMore: boolean }> {
  // Keyset-friendly order; offset paging is fine at a merchant's audit volume.
  const rows = await db.select().from(auditLog).where(eq(auditLog.merchantId, merchantId)).orderBy(desc(auditLog.id)).limit(pageSize + 1).offset((page - 1) * pageSize);
  return { rows: rows.slice(0, pageSize), page, pageSize, total: -1, pageCount: -1, hasMore: rows.length > pageSize };
}
