import { orderIdSchema } from '@/lib/orders/order-id';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { isUniqueViolation } from '@/lib/db-errors';
import { AppError, notFound } from '@/lib/errors';
import { log } from '@/lib/log';
import type { TossClient } from '@/lib/psp/toss-client';
import { markOutcomeUnknown } from './finish-payment';
import { finishWithPsp } from './finish-with-psp';
import { openPaymentAttempt } from './open-payment-attempt';
import { getOrderStatus, orderStatusView, readOrder, withMoved, type OrderRow, type OrderStatusView } from './get-order-status';
import { notePayment, transitionPayment, type Payment } from './state-machine';

/** The query Toss appends to our successUrl. Everything in it came through the shopper's browser. */
export const successRedirectSchema = z.object({
  orderId: orderIdSchema,
  paymentKey: z.string().min(1).max(200),
  amount: z.string().regex(/^[0-9]{1,15}$/, 'must be a whole number').or(z.number().int().nonnegative()).transform((v) => BigInt(v)),
  paymentType: z.string().optional(),
});
export type SuccessRedirect = z.infer<typeof successRedirectSchema>;

/**
 * Approve step of the pay flow: verify the redirect against the stored order, ask the PSP whether
 * the paymentKey is this order's (before it is bound to anything), move the attempt
 * NOT_STARTED → EXECUTING (conditional: of N concurrent confirms one wins, the others only read),
 * call the PSP's confirm with the attempt's own Idempotency-Key, and finish the payment.
 * Revisiting the success URL after approval finds the payment finished and calls nothing.
 * Round trips to the database on the common path: read, start, finish (the view is built from
 * what those returned, not read again).
 */
export async function confirmPayment(db: Db, psp: TossClient, redirect: SuccessRedirect, actor = 'shopper-redirect'): Promise<OrderStatusView> {
  const found = await readOrder(db, redirect.orderId);
  if (!found) throw notFound('The order');
  const { order } = found;
  let attempts = found.attempts;

  if (redirect.amount !== order.amount) {
    await rejectTampered(db, attempts, 'AMOUNT_MISMATCH', { redirectAmount: redirect.amount.toString(), orderAmount: order.amount.toString(), paymentKey: redirect.paymentKey });
    throw new AppError('AMOUNT_MISMATCH', 'The payment amount does not match your order, so nothing was charged. Please start the payment again from your order.');
  }

  const sameKey = attempts.find((p) => p.pspPaymentKey === redirect.paymentKey);
  if (sameKey && sameKey.status !== 'NOT_STARTED') return orderStatusView(order, attempts); // a revisit: nothing to do
  if (attempts.some((p) => p.status === 'SUCCESS')) {
    await rejectTampered(db, attempts, 'PAYMENT_KEY_MISMATCH', { paymentKey: redirect.paymentKey });
    throw new AppError('PAYMENT_KEY_MISMATCH', 'This order is already paid with another payment; nothing more was charged.');
  }

  const live = attempts.find((p) => p.status !== 'FAILURE');
  if (live && live.status !== 'NOT_STARTED') return inProgress(db, order, attempts, live, redirect);

  await expectKeyOfOrder(db, psp, order, attempts, redirect);

  // The live attempt read above, or a new one (after a decline). A stale read is harmless: the
  // conditional NOT_STARTED → EXECUTING below is what decides who confirms. A new attempt and its
  // CREATED history row commit together, so no concurrent confirm can move it before it exists.
  let attempt = live;
  if (!attempt) {
    attempt = await openPaymentAttempt(db, { orderId: order.id, merchantId: order.merchantId, amount: order.amount, currency: order.currency }, actor);
    attempts = withMoved(attempts, attempt);
    if (attempt.status !== 'NOT_STARTED') return inProgress(db, order, attempts, attempt, redirect);
  }

  const executing = await startExecuting(db, attempt, redirect.paymentKey, actor);
  if (!executing) return getOrderStatus(db, order.id); // a concurrent confirm won the race

  let finished: Payment | null;
  try {
    finished = await finishWithPsp(db, psp, executing, actor);
  } catch (err) {
    // Recording the outcome failed (database trouble). The PSP may have charged: leave the
    // payment for recovery, never for a second confirm with a new key.
    log.error({ err, paymentId: executing.id }, 'could not record the confirm outcome');
    finished = await markOutcomeUnknown(db, executing, `recording the outcome failed: ${(err as Error).message}`, actor).catch(() => null);
  }
  // Null: another path (webhook, recovery) finished it meanwhile; only then read again.
  return finished ? orderStatusView(order, withMoved(attempts, finished)) : getOrderStatus(db, order.id);
}

/** Another payment of this order is being confirmed; never start a second one. */
async function inProgress(db: Db, order: OrderRow, attempts: Payment[], attempt: Payment, redirect: SuccessRedirect): Promise<OrderStatusView> {
  if (attempt.pspPaymentKey && attempt.pspPaymentKey !== redirect.paymentKey) {
    await rejectTampered(db, attempts, 'PAYMENT_KEY_MISMATCH', { paymentKey: redirect.paymentKey });
    throw new AppError('PAYMENT_IN_PROGRESS', 'Another payment for this order is being confirmed; nothing more was charged.');
  }
  return orderStatusView(order, attempts);
}

/**
 * A paymentKey is bound to an attempt only once the PSP says it belongs to this order: the
 * redirect is shopper input, and a key of another order bound here would block that order's own
 * confirm (the key is unique) while our attempt failed at the PSP.
 */
async function expectKeyOfOrder(db: Db, psp: TossClient, order: OrderRow, attempts: Payment[], redirect: SuccessRedirect): Promise<void> {
  const lookup = await psp.getPayment(redirect.paymentKey);
  if (lookup.kind === 'ok' && lookup.value.orderId === order.id) return;
  if (lookup.kind === 'ok' || (lookup.kind === 'error' && lookup.httpStatus === 404)) {
    await rejectTampered(db, attempts, 'PAYMENT_KEY_MISMATCH', { paymentKey: redirect.paymentKey, pspOrderId: lookup.kind === 'ok' ? lookup.value.orderId : null });
    throw new AppError('PAYMENT_KEY_MISMATCH', 'This payment belongs to another order; nothing was charged.');
  }
  log.warn({ orderId: order.id, reason: lookup.kind === 'error' ? lookup.code : lookup.reason }, 'could not check the paymentKey with the PSP');
  throw new AppError('PSP_UNAVAILABLE', 'We could not reach the payment company to check this payment; nothing was charged. Please try again in a moment.');
}

async function startExecuting(db: Db, attempt: Payment, paymentKey: string, actor: string): Promise<Payment | null> {
  try {
    return await transitionPayment(db, {
      paymentId: attempt.id,
      event: 'CONFIRM_STARTED',
      actor,
      set: { pspPaymentKey: paymentKey },
      detail: { paymentKey },
    });
  } catch (err) {
    if (isUniqueViolation(err, 'payments_psp_payment_key')) { // the paymentKey is another attempt's
      throw new AppError('PAYMENT_KEY_MISMATCH', 'This payment belongs to another order; nothing was charged.');
    }
    throw err;
  }
}

/** A tampered redirect changes nothing, but it is written down on the order's attempt. */
async function rejectTampered(db: Db, attempts: Payment[], reason: string, detail: Record<string, unknown>): Promise<void> {
  const target = attempts.find((p) => p.status !== 'FAILURE') ?? attempts.at(-1);
  if (target) await notePayment(db, { paymentId: target.id, event: 'TAMPER_REJECTED', actor: 'shopper-redirect', detail: { reason, ...detail } });
  log.warn({ orderId: target?.orderId, reason, ...detail }, 'rejected a tampered success redirect');
}
