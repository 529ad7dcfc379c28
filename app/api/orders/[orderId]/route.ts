import { db } from '@/db';
import { json, route } from '@/lib/http/respond';
import { orderIdSchema } from '@/lib/orders/order-id';
import { getOrderStatus } from '@/lib/payments/get-order-status';

export const dynamic = 'force-dynamic';

export const GET = route<{ params: Promise<{ orderId: string }> }>(async (_req, { params }) => {
  const orderId = orderIdSchema.parse((await params).orderId);
  return json(await getOrderStatus(db(), orderId));
});
