import { ShopHeader } from '@/components/shop/shop-header';
import { OrderStatus } from '@/components/shop/order-status';

export default async function OrderPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await params;
  return (
    <>
      <ShopHeader />
      <main>
        <OrderStatus orderId={orderId} />
      </main>
    </>
  );
}
