import { notFound } from 'next/navigation';
import { db } from '@/db';
import { ShopHeader } from '@/components/shop/shop-header';
import { OrderStatus } from '@/components/shop/order-status';
import { orderIdSchema } from '@/lib/orders/order-id';
import { readOrder } from '@/lib/payments/get-order-status';

export default async function OrderPage({ params }: { params: Promise<{ orderId: string }> }) {
  const orderId = orderIdSchema.safeParse((await params).orderId);
  // An unknown order is a 404 page (HTTP 404), not a page that says "not found" with a 200.
  if (!orderId.success || !(await readOrder(db(), orderId.data))) notFound();
  return (
    <>
      <ShopHeader />
      <main>
        <OrderStatus orderId={orderId.data} />
      </main>
    </>
  );
}
