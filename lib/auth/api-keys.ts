import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { merchantApiKeys } from '@/db/schema';
import { recordAudit } from '@/lib/audit/record-audit';
import { newId } from '@/lib/ids';

const PREFIX = 'won_sk_';
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

/** Creates a key and returns it in full, the only time it is ever shown. */
export async function createApiKey(db: DbOrTx, merchantId: string, name: string, actor: string): Promise<{ id: string; key: string }> {
  const key = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = newId('key');
  await db.transaction(async (tx) => {
    await tx.insert(merchantApiKeys).values({ id, merchantId, name, prefix: key.slice(0, PREFIX.length + 6), hash: hash(key), createdBy: actor });
    await recordAudit(tx, { merchantId, actor, action: 'api-key.created', target: id, detail: { name } });
  });
  return { id, key };
}

export async function revokeApiKey(db: DbOrTx, merchantId: string, id: string, actor: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [revoked] = await tx.update(merchantApiKeys).set({ revokedAt: sql`now()` })
      .where(and(eq(merchantApiKeys.id, id), eq(merchantApiKeys.merchantId, merchantId), isNull(merchantApiKeys.revokedAt)))
      .returning({ id: merchantApiKeys.id });
    if (revoked) await recordAudit(tx, { merchantId, actor, action: 'api-key.revoked', target: id });
    return Boolean(revoked);
  });
}

/** The merchant a presented key belongs to, or null for an unknown or revoked key. */
export async function merchantForApiKey(db: DbOrTx, key: string): Promise<{ merchantId: string; keyId: string } | null> {
  if (!key.startsWith(PREFIX) || key.length > 200) return null;
  const [row] = await db.update(merchantApiKeys).set({ lastUsedAt: sql`now()` })
    .where(and(eq(merchantApiKeys.hash, hash(key)), isNull(merchantApiKeys.revokedAt)))
    .returning({ merchantId: merchantApiKeys.merchantId, keyId: merchantApiKeys.id });
  return row ?? null;
}

export async function listApiKeys(db: DbOrTx, merchantId: string) {
  return db.select({ id: merchantApiKeys.id, name: merchantApiKeys.name, prefix: merchantApiKeys.prefix, createdAt: merchantApiKeys.createdAt, lastUsedAt: merchantApiKeys.lastUsedAt, revokedAt: merchantApiKeys.revokedAt })
    .from(merchantApiKeys).where(eq(merchantApiKeys.merchantId, merchantId)).orderBy(merchantApiKeys.createdAt);
}
