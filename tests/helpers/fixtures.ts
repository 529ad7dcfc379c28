import { merchants, products } from '@/db/schema';
import type { Db } from '@/db/client';
import { newId } from '@/lib/ids';

export interface TestShop {
  merchantId: string;
  productIds: [string, string, string];
  prices: [bigint, bigint, bigint];
}

/** A fresh merchant with three products, so each test owns its rows. */
export async function createShop(db: Db, opts: { feeBps?: number } = {}): Promise<TestShop> {
  const merchantId = newId('mer');
  await db.insert(merchants).values({ id: merchantId, name: `Test shop ${merchantId.slice(-6)}`, feeBps: opts.feeBps ?? 250 });
  const prices: [bigint, bigint, bigint] = [15_000n, 4_200n, 99_900n];
  const productIds = prices.map(() => newId('prd')) as [string, string, string];
  await db.insert(products).values(productIds.map((id, i) => ({ id, merchantId, name: `Product ${i + 1}`, price: prices[i]!, currency: 'KRW' })));
  return { merchantId, productIds, prices };
}
