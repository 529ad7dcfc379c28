import { db } from '@/db';
import { json, route } from '@/lib/http/respond';
import { orderIdSchema } from '@/lib/orders/order-id';
import { requestPayment } from '@/lib/payments/request-payment';
import { windowParams } from '@/lib/psp/window-params';

/** Request step: the order's attempt is ready; here is what the PSP window needs. */
export const POST = route<{ params: Promise<{ orderId: string }> }>(async (_req, { params }) => {
  const orderId = orderIdSchema.parse((await params).orderId);
  const request = await requestPayment(db(), orderId);
  return json({ ...request, ...windowParams() });
});
