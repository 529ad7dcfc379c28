import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { products } from '@/db/schema';

export interface ProductView {
  id: string;
  name: string;
  price: number;
  currency: string;
}

export async function listProducts(db: DbOrTx, merchantId: string): Promise<ProductView[]> {
  const rows = await db.select().from(products).where(eq(products.merchantId, merchantId)).orderBy(asc(products.createdAt), asc(products.id));
  return rows.map((p) => ({ id: p.id, name: p.name, price: Number(p.price), currency: p.currency }));
}
