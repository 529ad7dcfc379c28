import { ShopHeader } from '@/components/shop/shop-header';
import { Storefront } from '@/components/shop/storefront';

export default function ShopPage() {
  return (
    <>
      <ShopHeader />
      <main>
        <Storefront />
      </main>
    </>
  );
}
