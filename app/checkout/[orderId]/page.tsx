import { db } from '@/db';
import { ShopHeader } from '@/components/shop/shop-header';
import { PayOrder } from '@/components/shop/pay-order';
import { storeName } from '@/lib/store/store-name';

export default async function CheckoutPage({ params, searchParams }: { params: Promise<{ orderId: string }>; searchParams: Promise<{ canceled?: string }> }) {
  const { orderId } = await params;
  const { canceled } = await searchParams;
  const shopName = await storeName(db());
  return (
    <>
      <ShopHeader />
      <main>
        <PayOrder orderId={orderId} canceled={canceled === '1'} shopName={shopName} />
      </main>
    </>
  );
}
