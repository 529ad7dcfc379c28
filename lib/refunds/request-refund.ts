import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { payments, refunds } from '@/db/schema';
import { isUniqueViolation } from '@/lib/db-errors';
import { AppError, notFound } from '@/lib/errors';
import { newId } from '@/lib/ids';
import { recordAudit } from '@/lib/audit/record-audit';
import type { TossClient } from '@/lib/psp/toss-client';
import { env } from '@/lib/env';
import { executeRefund, type RefundView, refundView } from './execute-refund';
import { maskRefundAccount, refundReceiveAccountSchema, sealRefundAccount } from './refund-account';

export const refundRequestSchema = z.strictObject({
  /** Minor units; omitted = everything not yet refunded. */
  amount: z.number().int().positive().max(10_000_000_000).optional(),
  reason: z.string().trim().min(1, 'say why').max(200),
  /** Required to refund a virtual-account payment (its money goes back to this account); ignored otherwise. */
  refundReceiveAccount: refundReceiveAccountSchema.optional(),
});
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_:.-]{8,255}$/, 'Idempotency-Key must be 8–255 letters, digits or -_:.');

/**
 * Refunds (part of) a payment. The merchant's Idempotency-Key makes the request repeatable: the
 * same key returns the same refund. The amount is reserved under the payment's row lock before
 * the PSP is called, so two concurrent refunds can never exceed what was paid.
 */
export async function requestRefund(
  db: Db,
  psp: TossClient,
  input: { merchantId: string; paymentId: string; idempotencyKey: string; request: z.infer<typeof refundRequestSchema>; requestedBy: string },
): Promise<{ refund: RefundView; created: boolean }> {
  const reserved = await db.transaction(async (tx) => {
    const [existing] = await tx.select().from(refunds).where(and(eq(refunds.merchantId, input.merchantId), eq(refunds.idempotencyKey, input.idempotencyKey)));
    if (existing) {
      const sameRequest = existing.paymentId === input.paymentId && (input.request.amount === undefined || BigInt(input.request.amount) === existing.amount);
      if (!sameRequest) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different refund.');
      return { refund: existing, created: false };
    }
    // The row lock serialises refunds of one payment; the reservation sum below is then exact.
    const [payment] = await tx.select().from(payments)
      .where(and(eq(payments.id, input.paymentId), eq(payments.merchantId, input.merchantId)))
      .for('update');
    if (!payment) throw notFound('The payment');
    if (payment.status === 'AWAITING_DEPOSIT') {
      throw new AppError('NOT_REFUNDABLE', 'This virtual account has not been paid yet, so there is nothing to refund: cancel it as a whole instead.');
    }
    if (payment.status !== 'SUCCESS' && payment.status !== 'PARTIALLY_REFUNDED') {
      throw new AppError('NOT_REFUNDABLE', `Only a paid payment can be refunded; this one is ${payment.status}.`);
    }
    const account = input.request.refundReceiveAccount;
    if (payment.method === 'VIRTUAL_ACCOUNT' && !account) {
      throw new AppError('REFUND_ACCOUNT_REQUIRED', 'This payment was made by virtual account: give the bank account to refund to (refundReceiveAccount: bank, accountNumber, holderName).');
    }
    const [{ inFlight } = { inFlight: 0n }] = await tx.select({ inFlight: sql<bigint>`coalesce(sum(${refunds.amount}), 0)`.mapWith(BigInt) })
      .from(refunds).where(and(eq(refunds.paymentId, payment.id), inArray(refunds.status, ['PENDING', 'UNKNOWN'])));
    const remaining = payment.amount - payment.refundedAmount - inFlight;
    const amount = input.request.amount === undefined ? remaining : BigInt(input.request.amount);
    if (amount <= 0n || amount > remaining) {
      throw new AppError('REFUND_EXCEEDS_REMAINING', `A refund of ${amount} is more than the ${remaining} ${payment.currency} left to refund on this payment.`);
    }
    const refundId = newId('rfd');
    // Only a virtual account's refund needs (and keeps) the shopper's account, encrypted.
    const keepAccount = payment.method === 'VIRTUAL_ACCOUNT' && account;
    const [refund] = await tx.insert(refunds).values({
      id: refundId,
      refundAccountSealed: keepAccount ? sealRefundAccount(env().REFUND_ACCOUNT_KEY, refundId, account) : null,
      refundAccountMasked: keepAccount ? maskRefundAccount(account) : null,
      paymentId: payment.id,
      merchantId: payment.merchantId,
      amount,
      currency: payment.currency,
      reason: input.request.reason,
      idempotencyKey: input.idempotencyKey,
      pspIdempotencyKey: newId('rfd'),
      requestedBy: input.requestedBy,
    }).returning();
    await recordAudit(tx, { merchantId: payment.merchantId, actor: input.requestedBy, action: 'refund.requested', target: refund!.id, detail: { paymentId: payment.id, amount: Number(amount), reason: input.request.reason } });
    return { refund: refund!, created: true };
  }).catch(async (err) => {
    // Two requests with one new key raced: the loser reads the winner's refund.
    if (isUniqueViolation(err, 'refunds_merchant_idempotency_key')) {
      const [winner] = await db.select().from(refunds).where(and(eq(refunds.merchantId, input.merchantId), eq(refunds.idempotencyKey, input.idempotencyKey)));
      if (winner) return { refund: winner, created: false };
    }
    throw err;
  });

  if (reserved.refund.status === 'PENDING' || reserved.refund.status === 'UNKNOWN') {
    const done = await executeRefund(db, psp, reserved.refund, input.requestedBy);
    return { refund: done, created: reserved.created };
  }
  return { refund: refundView(reserved.refund), created: reserved.created };
}
