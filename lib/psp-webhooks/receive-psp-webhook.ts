import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { payments, pspWebhookReceipts, refunds } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { adoptPspPayment } from '@/lib/payments/finish-with-psp';
import type { TossClient } from '@/lib/psp/toss-client';
import { flagForAttention } from '@/lib/recovery/recover-payment';

/** What we read of a Toss webhook; it is a hint only (Toss does not sign payment webhooks). */
export const pspWebhookSchema = z.looseObject({
  eventType: z.string().min(1).max(100),
  createdAt: z.string().max(64).optional(),
  data: z.looseObject({
    paymentKey: z.string().max(200).optional(),
    orderId: z.string().max(64).optional(),
    status: z.string().max(64).optional(),
  }).optional(),
});

export const transmissionIdSchema = z.string().regex(/^[A-Za-z0-9_:.-]{1,200}$/, 'tosspayments-webhook-transmission-id is missing or malformed');

/**
 * Stores a webhook once per transmission id. Returns false for a repeated delivery, which the
 * caller answers 200 without doing anything again.
 */
export async function recordPspWebhook(db: Db, transmissionId: string, body: z.infer<typeof pspWebhookSchema>): Promise<boolean> {
  const [row] = await db.insert(pspWebhookReceipts).values({
    transmissionId,
    eventType: body.eventType,
    paymentKey: body.data?.paymentKey ?? null,
    orderId: body.data?.orderId ?? null,
    payload: body,
  }).onConflictDoNothing().returning({ id: pspWebhookReceipts.transmissionId });
  return Boolean(row);
}

/**
 * Acts on a stored webhook by what the PSP itself says: re-fetch the payment with our secret key
 * and finish our payment through the same path as confirm. A forged body can name a payment,
 * but cannot change what the PSP's record says.
 */
export async function processPspWebhook(db: Db, psp: TossClient, transmissionId: string): Promise<string> {
  const [receipt] = await db.select().from(pspWebhookReceipts).where(and(eq(pspWebhookReceipts.transmissionId, transmissionId), isNull(pspWebhookReceipts.processedAt)));
  if (!receipt) return 'already-processed';
  const outcome = await actOn(db, psp, receipt);
  await db.update(pspWebhookReceipts).set({ processedAt: sql`now()`, outcome }).where(eq(pspWebhookReceipts.transmissionId, transmissionId));
  return outcome;
}

async function actOn(db: Db, psp: TossClient, receipt: typeof pspWebhookReceipts.$inferSelect): Promise<string> {
  if (receipt.eventType !== 'PAYMENT_STATUS_CHANGED' && receipt.eventType !== 'CANCEL_STATUS_CHANGED') return `ignored ${receipt.eventType}`;
  if (!receipt.paymentKey && !receipt.orderId) return 'ignored: names no payment';
  // What we had booked as refunded before asking the PSP. The PSP's refunded total only grows,
  // and we book a refund only after the PSP made it, so its answer can be no lower than this;
  // a refund booked after the lookup below must not look like a disagreement.
  const bookedBefore = new Map((await db.select({ id: payments.id, refunded: payments.refundedAmount }).from(payments)
    .where(receipt.paymentKey ? eq(payments.pspPaymentKey, receipt.paymentKey) : eq(payments.orderId, receipt.orderId!))).map((p) => [p.id, p.refunded]));
  const lookup = receipt.paymentKey ? await psp.getPayment(receipt.paymentKey) : await psp.getPaymentByOrderId(receipt.orderId!);
  if (lookup.kind !== 'ok') {
    if (lookup.kind === 'error' && lookup.httpStatus === 404) return 'ignored: the PSP does not know this payment';
    throw new AppError('INTERNAL', `PSP lookup failed for webhook ${receipt.transmissionId}: ${lookup.kind === 'error' ? lookup.code : lookup.reason}`);
  }
  const truth = lookup.value;
  if (truth.status === 'READY' || truth.status === 'IN_PROGRESS') return `ignored: the PSP has not finished it (${truth.status})`;
  const refundedAtPsp = BigInt(truth.totalAmount - truth.balanceAmount);
  // Our side in one snapshot taken after the lookup: the payment row locked (refund reservations
  // and bookings lock it too), then its in-flight refunds, and the flag in the same transaction.
  // Separate reads could straddle a refund being booked and see a disagreement that never was.
  const verdict = await db.transaction(async (tx) => {
    const [ours] = await tx.select().from(payments).where(eq(payments.pspPaymentKey, truth.paymentKey)).for('update');
    if (!ours) return { outcome: 'ignored: not one of our confirmed payments' };
    if (ours.status === 'EXECUTING' || ours.status === 'UNKNOWN') return { adopt: ours };
    const [{ inFlight } = { inFlight: 0n }] = await tx.select({ inFlight: sql<bigint>`coalesce(sum(${refunds.amount}), 0)`.mapWith(BigInt) })
      .from(refunds).where(and(eq(refunds.paymentId, ours.id), inArray(refunds.status, ['PENDING', 'UNKNOWN'])));
    // Refunds we have asked for but not booked yet explain a PSP balance that is ahead of ours.
    const refundsAgree = refundedAtPsp >= (bookedBefore.get(ours.id) ?? 0n) && refundedAtPsp <= ours.refundedAmount + inFlight;
    const agrees =
      ((truth.status === 'DONE' || truth.status === 'PARTIAL_CANCELED' || truth.status === 'CANCELED') && ours.status !== 'FAILURE' && refundsAgree) ||
      ((truth.status === 'ABORTED' || truth.status === 'EXPIRED') && ours.status === 'FAILURE');
    if (agrees) return { outcome: 'no change: we already agree with the PSP' };
    await flagForAttention(tx, ours, `PSP says ${truth.status} (refunded ${refundedAtPsp}) while we have ${ours.status} (refunded ${ours.refundedAmount})`);
    return { outcome: 'flagged: disagrees with the PSP' };
  });
  if ('adopt' in verdict && verdict.adopt) {
    await adoptPspPayment(db, verdict.adopt, truth, 'psp-webhook');
    return `finished by PSP status ${truth.status}`;
  }
  return verdict.outcome!;
}
