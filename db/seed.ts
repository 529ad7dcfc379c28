import type { Db } from './client';
import { merchants, products } from './schema';
import { ensurePspMerchant } from '@/lib/psp-sandbox/merchants';
import { DEMO_MERCHANT_ID } from '@/lib/store/store-merchant';

export const DEMO_PRODUCTS = [
  { id: 'prd_demo_beans', name: 'House Blend Beans 500g', price: 18_000n },
  { id: 'prd_demo_dripper', name: 'Ceramic Dripper', price: 32_000n },
  { id: 'prd_demo_filters', name: 'Paper Filters (100)', price: 4_500n },
  { id: 'prd_demo_mug', name: 'Stoneware Mug', price: 12_000n },
  { id: 'prd_demo_kettle', name: 'Gooseneck Kettle', price: 89_000n },
];

/** Idempotent: a second start leaves existing rows alone. */
export async function seed(db: Db, psp: { clientKey: string; secretKey: string }): Promise<void> {
  await db.insert(merchants).values({ id: DEMO_MERCHANT_ID, name: 'Demo Coffee Roasters', feeBps: 250 }).onConflictDoNothing();
  await db.insert(products)
    .values(DEMO_PRODUCTS.map((p) => ({ ...p, merchantId: DEMO_MERCHANT_ID, currency: 'KRW' })))
    .onConflictDoNothing();
  await ensurePspMerchant(db, { mId: 'wonplatform', name: 'Won Checkout Platform', ...psp });
}
