import { db } from '@/db';
import { ShopHeader } from '@/components/shop/shop-header';
import { Storefront } from '@/components/shop/storefront';
import { storeName } from '@/lib/store/store-name';

export default async function ShopPage() {
  const shopName = await storeName(db());
  return (
    <>
      <ShopHeader />
      <main>
        <Storefront shopName={shopName} />
      </main>
    </>
  );
}
