import { eq } from 'drizzle-orm';
import { orderIdSchema } from '@/lib/orders/order-id';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { orders, payments } from '@/db/schema';
import { isUniqueViolation } from '@/lib/db-errors';
import { AppError, notFound } from '@/lib/errors';
import { log } from '@/lib/log';
import { meaningOfConfirmError } from '@/lib/psp/confirm-errors';
import type { TossClient, TossPayment } from '@/lib/psp/toss-client';
import { approvePayment, failPayment, markOutcomeUnknown } from './finish-payment';
import { openPaymentAttempt } from './open-payment-attempt';
import { getOrderStatus, type OrderStatusView } from './get-order-status';
import { notePayment, transitionPayment, type Payment } from './transition';

/** The query Toss appends to our successUrl. Everything in it came through the shopper's browser. */
export const successRedirectSchema = z.object({
  orderId: orderIdSchema,
  paymentKey: z.string().min(1).max(200),
  amount: z.string().regex(/^[0-9]{1,15}$/, 'must be a whole number').or(z.number().int().nonnegative()).transform((v) => BigInt(v)),
  paymentType: z.string().optional(),
});
export type SuccessRedirect = z.infer<typeof successRedirectSchema>;

/**
 * Approve step of the pay flow: verify the redirect against the stored order, move the attempt
 * NOT_STARTED → EXECUTING (conditional: of N concurrent confirms one wins, the others only read),
 * call the PSP's confirm with the attempt's own Idempotency-Key, and finish the payment.
 * Revisiting the success URL after approval finds the payment finished and calls nothing.
 */
export async function confirmPayment(db: Db, psp: TossClient, redirect: SuccessRedirect, actor = 'shopper-redirect'): Promise<OrderStatusView> {
  const [order] = await db.select().from(orders).where(eq(orders.id, redirect.orderId));
  if (!order) throw notFound('The order');
  const attempts = await db.select().from(payments).where(eq(payments.orderId, order.id));

  if (redirect.amount !== order.amount) {
    await rejectTampered(db, attempts, 'AMOUNT_MISMATCH', { redirectAmount: redirect.amount.toString(), orderAmount: order.amount.toString(), paymentKey: redirect.paymentKey });
    throw new AppError('AMOUNT_MISMATCH', 'The payment amount does not match your order, so nothing was charged. Please start the payment again from your order.');
  }

  const sameKey = attempts.find((p) => p.pspPaymentKey === redirect.paymentKey);
  if (sameKey && sameKey.status !== 'NOT_STARTED') return getOrderStatus(db, order.id); // a revisit: nothing to do
  if (attempts.some((p) => p.status === 'SUCCESS')) {
    await rejectTampered(db, attempts, 'PAYMENT_KEY_MISMATCH', { paymentKey: redirect.paymentKey });
    throw new AppError('PAYMENT_KEY_MISMATCH', 'This order is already paid with another payment; nothing more was charged.');
  }

  // The live attempt read above, or a new one (after a decline). A stale read is harmless: the
  // conditional NOT_STARTED → EXECUTING below is what decides who confirms. A new attempt and its
  // CREATED history row commit together, so no concurrent confirm can move it before it exists.
  const attempt = attempts.find((p) => p.status !== 'FAILURE')
    ?? await db.transaction((tx) => openPaymentAttempt(tx, { orderId: order.id, merchantId: order.merchantId, amount: order.amount, currency: order.currency }, actor));
  if (attempt.status !== 'NOT_STARTED') {
    // Another payment of this order is being confirmed; never start a second one.
    if (attempt.pspPaymentKey && attempt.pspPaymentKey !== redirect.paymentKey) {
      await rejectTampered(db, attempts, 'PAYMENT_KEY_MISMATCH', { paymentKey: redirect.paymentKey });
      throw new AppError('PAYMENT_IN_PROGRESS', 'Another payment for this order is being confirmed; nothing more was charged.');
    }
    return getOrderStatus(db, order.id);
  }

  const executing = await startExecuting(db, attempt, redirect.paymentKey, actor);
  if (!executing) return getOrderStatus(db, order.id); // a concurrent confirm won the race

  try {
    await finishWithPsp(db, psp, executing, actor);
  } catch (err) {
    // Recording the outcome failed (database trouble). The PSP may have charged: leave the
    // payment for recovery, never for a second confirm with a new key.
    log.error({ err, paymentId: executing.id }, 'could not record the confirm outcome');
    await markOutcomeUnknown(db, executing, `recording the outcome failed: ${(err as Error).message}`, actor).catch(() => {});
  }
  return getOrderStatus(db, order.id);
}

async function startExecuting(db: Db, attempt: Payment, paymentKey: string, actor: string): Promise<Payment | null> {
  try {
    return await db.transaction((tx) =>
      transitionPayment(tx, {
        paymentId: attempt.id,
        from: ['NOT_STARTED'],
        to: 'EXECUTING',
        event: 'CONFIRM_STARTED',
        actor,
        set: { pspPaymentKey: paymentKey },
        detail: { paymentKey },
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err, 'payments_psp_payment_key')) { // the paymentKey is another payment's
      throw new AppError('PAYMENT_KEY_MISMATCH', 'This payment belongs to another order; nothing was charged.');
    }
    throw err;
  }
}

/** Calls confirm and finishes the attempt by what the PSP said (or did not say). */
export async function finishWithPsp(db: Db, psp: TossClient, payment: Payment, actor: string): Promise<void> {
  const result = await psp.confirm({
    paymentKey: payment.pspPaymentKey!,
    orderId: payment.orderId,
    amount: Number(payment.amount),
    idempotencyKey: payment.confirmIdempotencyKey,
  });
  if (result.kind === 'ok') return adoptPspPayment(db, payment, result.value, actor);
  if (result.kind === 'no-answer') {
    log.warn({ paymentId: payment.id, reason: result.reason }, 'confirm outcome unknown');
    await markOutcomeUnknown(db, payment, result.reason, actor);
    return;
  }
  const failure = { code: result.code, message: result.message };
  switch (meaningOfConfirmError(result.code)) {
    case 'declined':
      await failPayment(db, payment, failure, actor);
      return;
    case 'already-processed': {
      // We may have confirmed before and lost the answer: the PSP's record decides.
      const lookup = await psp.getPayment(payment.pspPaymentKey!);
      if (lookup.kind === 'ok') return adoptPspPayment(db, payment, lookup.value, actor);
      await markOutcomeUnknown(db, payment, `ALREADY_PROCESSED_PAYMENT and lookup failed: ${lookup.kind}`, actor);
      return;
    }
    case 'unknown':
      await markOutcomeUnknown(db, payment, `${result.httpStatus} ${result.code}: ${result.message}`, actor);
  }
}

/** Finishes a payment by the PSP's own record of it. */
export async function adoptPspPayment(db: Db, payment: Payment, psp: TossPayment, actor: string): Promise<void> {
  const matches = psp.orderId === payment.orderId && BigInt(psp.totalAmount) === payment.amount && psp.currency === payment.currency;
  if (psp.status === 'DONE' && matches) {
    await approvePayment(db, payment, psp, actor);
  } else if (psp.status === 'ABORTED' || psp.status === 'EXPIRED') {
    await failPayment(db, payment, psp.failure ?? { code: psp.status, message: `The payment is ${psp.status.toLowerCase()} at the PSP.` }, actor);
  } else {
    // DONE for another amount, or a state we do not expect here: a person must look.
    log.error({ paymentId: payment.id, pspStatus: psp.status, pspAmount: psp.totalAmount }, 'PSP record disagrees with the payment');
    await markOutcomeUnknown(db, payment, `PSP says ${psp.status} ${psp.totalAmount} ${psp.currency} for ${psp.orderId}`, actor);
  }
}

/** A tampered redirect changes nothing, but it is written down on the order's attempt. */
async function rejectTampered(db: Db, attempts: Payment[], reason: string, detail: Record<string, unknown>): Promise<void> {
  const target = attempts.find((p) => p.status !== 'FAILURE') ?? attempts.at(-1);
  if (target) await notePayment(db, { paymentId: target.id, event: 'TAMPER_REJECTED', actor: 'shopper-redirect', detail: { reason, ...detail } });
  log.warn({ orderId: target?.orderId, reason, ...detail }, 'rejected a tampered success redirect');
}
