import { NotFoundMessage } from '@/components/not-found-message';
import { ShopHeader } from '@/components/shop/shop-header';

export default function NotFound() {
  return (
    <>
      <ShopHeader />
      <main><NotFoundMessage home="/" /></main>
    </>
  );
}
