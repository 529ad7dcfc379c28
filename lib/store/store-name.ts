import 'server-only';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { merchants } from '@/db/schema';
import { storeMerchantId } from './store-merchant';

let cached: Promise<string> | undefined;

/**
 * The storefront's shop name, as the shop header and the PSP window show it. Read once per
 * process (a shop's name does not change between two checkouts; a restart picks up a rename),
 * so the pay flow pays no round trip for it.
 */
export function storeName(db: DbOrTx): Promise<string> {
  cached ??= db.select({ name: merchants.name }).from(merchants).where(eq(merchants.id, storeMerchantId()))
    .then(([m]) => m?.name ?? 'Won Checkout')
    .catch((err: unknown) => {
      cached = undefined; // a failed read is not remembered
      throw err;
    });
  return cached;
}
