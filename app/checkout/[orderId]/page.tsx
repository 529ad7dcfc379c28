import { ShopHeader } from '@/components/shop/shop-header';
import { PayOrder } from '@/components/shop/pay-order';

export default async function CheckoutPage({ params, searchParams }: { params: Promise<{ orderId: string }>; searchParams: Promise<{ canceled?: string }> }) {
  const { orderId } = await params;
  const { canceled } = await searchParams;
  return (
    <>
      <ShopHeader />
      <main>
        <PayOrder orderId={orderId} canceled={canceled === '1'} />
      </main>
    </>
  );
}
