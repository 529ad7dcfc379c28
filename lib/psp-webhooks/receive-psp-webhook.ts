import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { pg, type Db, type DbOrTx } from '@/db/client';
import { payments, pspWebhookReceipts, refunds } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { adoptPspPayment } from '@/lib/payments/finish-with-psp';
import { reverseDeposit } from '@/lib/payments/reverse-deposit';
import { chargedAtPsp } from '@/lib/psp/charged-at-psp';
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

/** What became of a delivery when it was stored. */
export type Receipt =
  /** A transmission id we have stored before: answered 200, nothing done again. */
  | 'duplicate'
  /** Stored and finished at once: it claims what we already hold, so there is nothing to look up. */
  | 'settled'
  /** Stored; the work (a fresh lookup at the PSP) is still to do. */
  | 'stored';

/** The outcome written on a webhook settled when it was stored. */
export const SETTLED_ON_RECEIPT = 'no change: it claims what we already hold (settled on receipt, no lookup)';

/**
 * Stores a webhook once per transmission id, in one statement.
 *
 * Most webhooks repeat what we already know: the PSP reports the approval our own confirm just
 * booked. Acting on a webhook means a fresh lookup at the PSP (the body is unsigned), and a lookup
 * can only ever move us towards the PSP's record; when the body claims exactly the state we hold
 * (DONE with nothing refunded for a SUCCESS payment with nothing refunded, ABORTED/EXPIRED for a
 * FAILURE) there is nothing a lookup could make us do for this claim, true or forged. Such a
 * webhook is stored already processed. Any other claim (a cancel, a status we do not hold, a
 * payment we do not know) is stored for processing. A change the PSP made behind such a claim
 * comes with its own webhook, and reconciliation compares every payment with the PSP's books.
 */
export async function recordPspWebhook(db: DbOrTx, transmissionId: string, body: z.infer<typeof pspWebhookSchema>): Promise<Receipt> {
  const paymentKey = body.data?.paymentKey ?? null;
  const claimed = body.eventType === 'PAYMENT_STATUS_CHANGED' ? body.data?.status ?? null : null;
  const refundedClaim = refundedClaimOf(body);
  const rows = await pg(db)`
    with held as (
      select 1 from payments
      where ${paymentKey}::text is not null and psp_payment_key = ${paymentKey}::text
        and ((${claimed}::text = 'DONE' and status = 'SUCCESS' and refunded_amount = 0 and ${refundedClaim}::bigint = 0)
          or (${claimed}::text in ('ABORTED', 'EXPIRED') and status = 'FAILURE'))
    )
    insert into psp_webhook_receipts (transmission_id, event_type, payment_key, order_id, payload, processed_at, outcome)
    select ${transmissionId}, ${body.eventType}, ${paymentKey}, ${body.data?.orderId ?? null}, ${JSON.stringify(body)}::jsonb,
           case when exists (select 1 from held) then now() end,
           case when exists (select 1 from held) then ${SETTLED_ON_RECEIPT}::text end
    on conflict (transmission_id) do nothing
    returning processed_at is not null as settled`;
  if (rows.length === 0) return 'duplicate';
  return rows[0]!.settled ? 'settled' : 'stored';
}

/** What the body says was refunded (total − balance), as a numeric string; null when it does not say. */
function refundedClaimOf(body: z.infer<typeof pspWebhookSchema>): string | null {
  const total = body.data?.totalAmount;
  const balance = body.data?.balanceAmount;
  return typeof total === 'number' && typeof balance === 'number' && Number.isSafeInteger(total) && Number.isSafeInteger(balance) ? String(total - balance) : null;
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
  // A DEPOSIT_CALLBACK is stored only after its secret was checked (deposit-callback.ts); like the
  // others, what it says is a hint, and the PSP's own record below decides.
  if (receipt.eventType !== 'PAYMENT_STATUS_CHANGED' && receipt.eventType !== 'CANCEL_STATUS_CHANGED' && receipt.eventType !== 'DEPOSIT_CALLBACK') return `ignored ${receipt.eventType}`;
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
    if (ours.status === 'EXECUTING' || ours.status === 'UNKNOWN' || ours.status === 'AWAITING_DEPOSIT') return { adopt: ours };
    const [{ inFlight } = { inFlight: 0n }] = await tx.select({ inFlight: sql<bigint>`coalesce(sum(${refunds.amount}), 0)`.mapWith(BigInt) })
      .from(refunds).where(and(eq(refunds.paymentId, ours.id), inArray(refunds.status, ['PENDING', 'UNKNOWN'])));
    // Refunds we have asked for but not booked yet explain a PSP balance that is ahead of ours.
    // A virtual account's deposit taken back by the bank: the approval is reversed (nothing refunded
    // from it and nothing in flight; anything else is for a person, below).
    if (truth.status === 'WAITING_FOR_DEPOSIT' && ours.status === 'SUCCESS' && ours.method === 'VIRTUAL_ACCOUNT' && ours.refundedAmount === 0n && inFlight === 0n) {
      return { reverse: ours };
    }
    const refundsAgree = refundedAtPsp >= (bookedBefore.get(ours.id) ?? 0n) && refundedAtPsp <= ours.refundedAmount + inFlight;
    const agrees = chargedAtPsp(truth)
      ? ours.status !== 'FAILURE' && refundsAgree
      : (truth.status === 'ABORTED' || truth.status === 'EXPIRED' || truth.status === 'CANCELED') && ours.status === 'FAILURE';
    if (agrees) return { outcome: 'no change: we already agree with the PSP' };
    await flagForAttention(tx, ours, `PSP says ${truth.status} (refunded ${refundedAtPsp}) while we have ${ours.status} (refunded ${ours.refundedAmount})`);
    return { outcome: 'flagged: disagrees with the PSP' };
  });
  if ('reverse' in verdict && verdict.reverse) {
    const moved = await reverseDeposit(db, verdict.reverse, truth, 'psp-webhook');
    return moved ? 'deposit reversed: approval reversed, flagged for the merchant' : 'no change: reversed meanwhile';
  }
  if ('adopt' in verdict && verdict.adopt) {
    const moved = await adoptPspPayment(db, verdict.adopt, truth, 'psp-webhook');
    return moved ? `finished by PSP status ${truth.status}` : `no change: PSP status ${truth.status} while we have ${verdict.adopt.status}`;
  }
  return verdict.outcome!;
}
