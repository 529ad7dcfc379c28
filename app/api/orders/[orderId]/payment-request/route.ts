import { db } from '@/db';
import { env } from '@/lib/env';
import { json, route } from '@/lib/http/respond';
import { orderIdSchema } from '@/lib/orders/order-id';
import { requestPayment } from '@/lib/payments/request-payment';

/** Request step: the order's attempt is ready; here is what the PSP window needs. */
export const POST = route<{ params: Promise<{ orderId: string }> }>(async (_req, { params }) => {
  const orderId = orderIdSchema.parse((await params).orderId);
  const request = await requestPayment(db(), orderId);
  const e = env();
  return json({ ...request, clientKey: e.TOSS_CLIENT_KEY, windowUrl: e.TOSS_WINDOW_URL });
});
