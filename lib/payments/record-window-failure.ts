import { orderIdSchema } from '@/lib/orders/order-id';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { notFound } from '@/lib/errors';
import { log } from '@/lib/log';
import type { TossClient } from '@/lib/psp/toss-client';
import { orderStatusView, readOrder, withMoved, type OrderStatusView } from './get-order-status';
import { failPayment } from './finish-payment';

/** The query Toss appends to our failUrl when the shopper cancels or the card is refused. */
export const failRedirectSchema = z.object({
  orderId: orderIdSchema,
  code: z.string().min(1).max(100),
  message: z.string().max(500).default(''),
});

/**
 * Records a failed authentication (declined card, shopper cancel) on the order's unstarted
 * attempt. Only NOT_STARTED can fail this way, and only when the PSP agrees: the redirect is
 * unauthenticated input that anyone with the orderId can send, so the PSP's record of the order
 * must show no payment that could still be paid (none, or ABORTED / EXPIRED). A payment the
 * shopper authenticated (IN_PROGRESS) or the PSP approved (DONE) keeps its attempt open, for the
 * success redirect or recovery to finish.
 */
export async function recordWindowFailure(db: Db, psp: TossClient, input: z.infer<typeof failRedirectSchema>): Promise<OrderStatusView> {
  const found = await readOrder(db, input.orderId);
  if (!found) throw notFound('The order');
  const attempt = found.attempts.find((p) => p.status === 'NOT_STARTED');
  if (!attempt) return orderStatusView(found.order, found.attempts);
  const lookup = await psp.getPaymentByOrderId(input.orderId);
  const pspAgrees = lookup.kind === 'ok'
    ? lookup.value.status === 'ABORTED' || lookup.value.status === 'EXPIRED'
    : lookup.kind === 'error' && lookup.httpStatus === 404;
  if (!pspAgrees) {
    log.warn({ orderId: input.orderId, psp: lookup.kind === 'ok' ? lookup.value.status : lookup.kind }, 'fail redirect not confirmed by the PSP; the attempt stays open');
    return orderStatusView(found.order, found.attempts);
  }
  const moved = await failPayment(db, attempt, { code: input.code, message: input.message || input.code }, 'shopper-fail-redirect', ['NOT_STARTED']);
  return moved ? orderStatusView(found.order, withMoved(found.attempts, moved)) : orderStatusView(found.order, found.attempts);
}
