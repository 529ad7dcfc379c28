import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspMerchants, pspWebhookDeliveries, type PspPaymentStatus } from '../db/schema';
import { kstLocalMicros } from './clock';
import { newTransmissionId } from './keys';
import { type PspPaymentRow, toPaymentObject } from './payment-object';

/** Statuses whose entry Toss reports with PAYMENT_STATUS_CHANGED (reference §3, §6.3). */
const WEBHOOK_STATUSES: ReadonlySet<PspPaymentStatus> = new Set(['DONE', 'CANCELED', 'PARTIAL_CANCELED', 'ABORTED', 'EXPIRED']);

/**
 * Queues a PAYMENT_STATUS_CHANGED webhook for a payment that has just changed to `payment.status`.
 * Call it in the transaction that made the change, so the webhook exists exactly when the change
 * does. No-op for statuses Toss does not report and for merchants without a webhook URL (Toss
 * sends nothing then either). The body is built now: it shows the payment as of this change.
 */
export async function enqueuePaymentWebhook(db: DbOrTx, payment: PspPaymentRow, at: Date): Promise<void> {
  if (!WEBHOOK_STATUSES.has(payment.status)) return;
  const [merchant] = await db.select({ webhookUrl: pspMerchants.webhookUrl }).from(pspMerchants).where(eq(pspMerchants.mId, payment.mId));
  if (!merchant?.webhookUrl) return;
  const body = { eventType: 'PAYMENT_STATUS_CHANGED', createdAt: kstLocalMicros(at), data: toPaymentObject(payment) };
  await db.insert(pspWebhookDeliveries).values({
    transmissionId: newTransmissionId(),
    mId: payment.mId,
    paymentKey: payment.paymentKey,
    eventType: body.eventType,
    url: merchant.webhookUrl,
    body: JSON.stringify(body),
    nextAttemptAt: at,
    createdAt: at,
  });
}
