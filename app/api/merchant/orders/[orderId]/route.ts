import { withMerchant } from '@/lib/auth/merchant-context';
import { getOrderDetail } from '@/lib/dashboard/get-order-detail';
import { notFound } from '@/lib/errors';
import { json } from '@/lib/http/respond';
import { orderIdSchema } from '@/lib/orders/order-id';

export const dynamic = 'force-dynamic';

/** Merchant API: one order with its attempts, history, refunds, journals and events. */
export const GET = withMerchant<{ orderId: string }>(async (_req, { params, merchant }) => {
  const orderId = orderIdSchema.parse(params.orderId);
  // Another merchant's order is answered exactly like one that does not exist.
  const detail = await merchant.withScope((tx) => getOrderDetail(tx, merchant.merchantId, orderId));
  if (!detail) throw notFound('The order');
  return json(detail);
});
