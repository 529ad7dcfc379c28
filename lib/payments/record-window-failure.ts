import { and, eq } from 'drizzle-orm';
import { orderIdSchema } from '@/lib/orders/order-id';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { payments } from '@/db/schema';
import { getOrderStatus, type OrderStatusView } from './get-order-status';
import { failPayment } from './finish-payment';

/** The query Toss appends to our failUrl when the shopper cancels or the card is refused. */
export const failRedirectSchema = z.object({
  orderId: orderIdSchema,
  code: z.string().min(1).max(100),
  message: z.string().max(500).default(''),
});

/**
 * Records a failed authentication (declined card, shopper cancel) on the order's unstarted
 * attempt. Only NOT_STARTED can fail this way: the redirect is unauthenticated input, and an
 * attempt we already sent to confirm is decided by the PSP, not by a URL.
 */
export async function recordWindowFailure(db: Db, input: z.infer<typeof failRedirectSchema>): Promise<OrderStatusView> {
  const [attempt] = await db.select().from(payments)
    .where(and(eq(payments.orderId, input.orderId), eq(payments.status, 'NOT_STARTED')));
  if (attempt) {
    await failPayment(db, attempt, { code: input.code, message: input.message || input.code }, 'shopper-fail-redirect', ['NOT_STARTED']);
  }
  return getOrderStatus(db, input.orderId);
}
