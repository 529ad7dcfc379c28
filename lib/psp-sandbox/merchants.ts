import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '@/db/client';
import { pspMerchants } from '@/db/schema';

// No `server-only` here: db/seed.ts imports this module from plain Node scripts, where that
// marker package throws. Nothing here is meant for the browser either.

export type PspMerchant = typeof pspMerchants.$inferSelect;

const merchantInput = z.object({
  /** Toss mIds are at most 14 characters. */
  mId: z.string().regex(/^[A-Za-z0-9_-]{1,14}$/, 'mId must be 1–14 letters, digits, - or _'),
  name: z.string().trim().min(1).max(100),
  clientKey: z.string().regex(/^(test|live)_\w+$/, 'clientKey must look like test_ck_… or live_ck_…'),
  secretKey: z.string().regex(/^(test|live)_\w+$/, 'secretKey must look like test_sk_… or live_sk_…'),
});
export type EnsurePspMerchantParams = z.input<typeof merchantInput>;

/**
 * Creates the PSP merchant or brings it in line with the given name and keys (idempotent; the
 * app's seed calls it on every start with the keys from env, so changed keys take effect).
 */
export async function ensurePspMerchant(db: DbOrTx, params: EnsurePspMerchantParams): Promise<PspMerchant> {
  const m = merchantInput.parse(params);
  const [row] = await db.insert(pspMerchants).values(m)
    .onConflictDoUpdate({
      target: pspMerchants.mId,
      set: { name: m.name, clientKey: m.clientKey, secretKey: m.secretKey },
    })
    .returning();
  if (!row) throw new Error(`upsert of PSP merchant ${m.mId} returned no row`);
  return row;
}

export async function findMerchantBySecretKey(db: DbOrTx, secretKey: string): Promise<PspMerchant | undefined> {
  const [row] = await db.select().from(pspMerchants).where(eq(pspMerchants.secretKey, secretKey));
  return row;
}

export async function findMerchantByClientKey(db: DbOrTx, clientKey: string): Promise<PspMerchant | undefined> {
  const [row] = await db.select().from(pspMerchants).where(eq(pspMerchants.clientKey, clientKey));
  return row;
}

/** Test keys (`test_…`) enable test-only features such as the TossPayments-Test-Code header. */
export function isTestMerchant(m: Pick<PspMerchant, 'secretKey'>): boolean {
  return m.secretKey.startsWith('test_');
}
