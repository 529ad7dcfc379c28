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
  await enqueue(db, payment, 'PAYMENT_STATUS_CHANGED', { eventType: 'PAYMENT_STATUS_CHANGED', createdAt: kstLocalMicros(at), data: toPaymentObject(payment, at) }, at);
}

/**
 * Queues a DEPOSIT_CALLBACK for a virtual account that was just issued (WAITING_FOR_DEPOSIT),
 * paid (DONE) or whose deposit was reversed (WAITING_FOR_DEPOSIT again). Toss's body is flat, has
 * no eventType and carries the payment's `secret`, the merchant's only way to tell a genuine
 * callback (reference §6.3, §6.4). Same transaction and delivery rules as the webhook above.
 */
export async function enqueueDepositCallback(db: DbOrTx, payment: PspPaymentRow, at: Date): Promise<void> {
  await enqueue(db, payment, 'DEPOSIT_CALLBACK', {
    createdAt: kstLocalMicros(at),
    secret: payment.secret,
    status: payment.status,
    transactionKey: payment.lastTransactionKey,
    orderId: payment.orderId,
  }, at);
}

async function enqueue(db: DbOrTx, payment: PspPaymentRow, eventType: string, body: unknown, at: Date): Promise<void> {
  const [merchant] = await db.select({ webhookUrl: pspMerchants.webhookUrl }).from(pspMerchants).where(eq(pspMerchants.mId, payment.mId));
  if (!merchant?.webhookUrl) return;
  await db.insert(pspWebhookDeliveries).values({
    transmissionId: newTransmissionId(),
    mId: payment.mId,
    paymentKey: payment.paymentKey,
    eventType,
    url: merchant.webhookUrl,
    body: JSON.stringify(body),
    nextAttemptAt: at,
    createdAt: at,
  });
}
