import { db } from '@/db';
import { json, parseJsonBody, route } from '@/lib/http/respond';
import { checkoutRequestSchema, createOrder } from '@/lib/orders/create-order';
import { windowParams } from '@/lib/psp/window-params';

/**
 * Places the order. A new order comes with its first payment attempt ready, so the answer also
 * carries the window's parameters (`payment`): the browser goes straight to the PSP's window,
 * one request fewer than checkout + payment-request. A repeated checkout key gets the order
 * only; the browser then asks POST /api/orders/{id}/payment-request, which stays as it was.
 */
export const POST = route(async (req) => {
  const body = await parseJsonBody(req, checkoutRequestSchema);
  const { created, ...order } = await createOrder(db(), body);
  return created ? json({ ...order, payment: windowParams() }, 201) : json(order, 200);
});
