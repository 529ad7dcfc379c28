import { hashPassword } from 'better-auth/crypto';
import type { Db } from './client';
import { account, merchants, products, user } from './schema';
import { DEMO_MERCHANT_ID } from '@/lib/store/store-merchant';

export const DEMO_PRODUCTS = [
  { id: 'prd_demo_beans', name: 'House Blend Beans 500g', price: 18_000n },
  { id: 'prd_demo_dripper', name: 'Ceramic Dripper', price: 32_000n },
  { id: 'prd_demo_filters', name: 'Paper Filters (100)', price: 4_500n },
  { id: 'prd_demo_mug', name: 'Stoneware Mug', price: 12_000n },
  { id: 'prd_demo_kettle', name: 'Gooseneck Kettle', price: 89_000n },
];

/** Two demo merchants, so tenant isolation can be seen (and tested) from the first run. */
export const DEMO_LOGINS = [
  { merchantId: DEMO_MERCHANT_ID, merchantName: 'Demo Coffee Roasters', email: 'coffee@demo.won', password: 'coffee-demo-pass' },
  { merchantId: 'mer_demo_tea', merchantName: 'Demo Tea House', email: 'tea@demo.won', password: 'tea-demo-pass-2' },
] as const;

/** Idempotent: a second start leaves existing rows alone. */
export async function seed(db: Db): Promise<void> {
  for (const m of DEMO_LOGINS) {
    await db.insert(merchants).values({ id: m.merchantId, name: m.merchantName, feeBps: 250 }).onConflictDoNothing();
  }
  await db.insert(products)
    .values(DEMO_PRODUCTS.map((p) => ({ ...p, merchantId: DEMO_MERCHANT_ID, currency: 'KRW' })))
    .onConflictDoNothing();
  await db.insert(products).values([
    { id: 'prd_tea_sencha', merchantId: 'mer_demo_tea', name: 'Sencha 100g', price: 14_000n, currency: 'KRW' },
    { id: 'prd_tea_pot', merchantId: 'mer_demo_tea', name: 'Clay Teapot', price: 56_000n, currency: 'KRW' },
  ]).onConflictDoNothing();
  for (const m of DEMO_LOGINS) {
    const userId = `usr_${m.merchantId}`;
    const [created] = await db.insert(user).values({ id: userId, name: m.merchantName, email: m.email, emailVerified: true, merchantId: m.merchantId })
      .onConflictDoNothing().returning({ id: user.id });
    if (created) {
      // Better Auth's own scrypt hash, in the account row its email/password sign-in reads.
      await db.insert(account).values({ id: `acc_${userId}`, accountId: userId, providerId: 'credential', userId, password: await hashPassword(m.password) });
    }
  }
}
