import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client';
import { pspMerchants } from '../db/schema';

export type PspMerchant = typeof pspMerchants.$inferSelect;

/** An absolute http(s) URL, or null for "no webhooks". */
export const webhookUrlSchema = z
  .string({ error: (i) => (i.input === undefined ? 'url is required (null stops webhooks)' : 'url must be a string (an absolute http(s) URL) or null') })
  .max(2_000, 'url must be at most 2000 characters')
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'url must be an absolute http(s) URL')
  .nullable();

/** An origin: scheme, host and port of an http(s) URL, nothing else (`http://localhost:3000`). */
export const originSchema = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === v;
  } catch {
    return false;
  }
}, 'must be an origin such as https://shop.example (scheme, host and port only)');

const merchantInput = z.object({
  /** Toss mIds are at most 14 characters. */
  mId: z.string().regex(/^[A-Za-z0-9_-]{1,14}$/, 'mId must be 1–14 letters, digits, - or _'),
  name: z.string().trim().min(1).max(100),
  clientKey: z.string().regex(/^(test|live)_\w+$/, 'clientKey must look like test_ck_… or live_ck_…'),
  secretKey: z.string().regex(/^(test|live)_\w+$/, 'secretKey must look like test_sk_… or live_sk_…'),
  /** Omitted = leave as it is (the seed runs on every start); null = no webhooks. */
  webhookUrl: webhookUrlSchema.optional(),
  /** Where the window may send the buyer back (`https://shop.example`); omitted = leave as it is. */
  redirectOrigins: z.array(originSchema).max(20).optional(),
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
      set: {
        name: m.name,
        clientKey: m.clientKey,
        secretKey: m.secretKey,
        ...(m.webhookUrl !== undefined ? { webhookUrl: m.webhookUrl } : {}),
        ...(m.redirectOrigins !== undefined ? { redirectOrigins: m.redirectOrigins } : {}),
      },
    })
    .returning();
  if (!row) throw new Error(`upsert of PSP merchant ${m.mId} returned no row`);
  return row;
}

/**
 * Registers where the merchant's PAYMENT_STATUS_CHANGED webhooks go (null: nowhere). Applies to
 * events from now on; deliveries already queued keep the URL they were queued with.
 */
export async function setWebhookUrl(db: DbOrTx, mId: string, url: string | null): Promise<PspMerchant> {
  const parsed = webhookUrlSchema.parse(url);
  const [row] = await db.update(pspMerchants).set({ webhookUrl: parsed }).where(eq(pspMerchants.mId, mId)).returning();
  if (!row) throw new Error(`no PSP merchant ${mId}`);
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
