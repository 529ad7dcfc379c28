import { db } from '@/db';
import { json, parseJsonBody, route } from '@/lib/http/respond';
import { checkoutRequestSchema, createOrder } from '@/lib/orders/create-order';

export const POST = route(async (req) => {
  const body = await parseJsonBody(req, checkoutRequestSchema);
  const { created, ...order } = await createOrder(db(), body);
  return json(order, created ? 201 : 200);
});
