import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { payments } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { adoptPspPayment } from '@/lib/payments/finish-with-psp';
import type { Payment } from '@/lib/payments/state-machine';
import type { TossClient } from '@/lib/psp/toss-client';
import { recordAudit } from '@/lib/audit/record-audit';

/**
 * Calls off a virtual account before the shopper paid into it: the PSP cancels it as a whole
 * (Toss refuses a partial cancel then: NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT) and our payment
 * ends FAILURE (CANCELED_BEFORE_DEPOSIT) by the PSP's answer. No money moved, so no refund and no
 * journal. The Idempotency-Key belongs to this operation, so a retry cannot cancel twice. A
 * deposit that won the race makes the PSP refuse; the payment is then finished by its record.
 */
export async function cancelVirtualAccount(
  db: Db,
  psp: TossClient,
  input: { merchantId: string; paymentId: string; reason: string; requestedBy: string },
): Promise<Payment> {
  const [payment] = await db.select().from(payments).where(and(eq(payments.id, input.paymentId), eq(payments.merchantId, input.merchantId)));
  if (!payment) throw notFound('The payment');
  if (payment.status !== 'AWAITING_DEPOSIT') {
    throw new AppError('NOT_REFUNDABLE', `Only a virtual account awaiting its deposit can be cancelled as a whole; this payment is ${payment.status}.`);
  }
  await recordAudit(db, { merchantId: payment.merchantId, actor: input.requestedBy, action: 'virtual-account.cancel-requested', target: payment.id, detail: { reason: input.reason } });
  const answer = await psp.cancel(payment.pspPaymentKey!, { cancelReason: input.reason, idempotencyKey: `vac_${payment.id}` });
  // Whatever the answer, the PSP's record decides (a refusal may mean the deposit came first).
  const record = answer.kind === 'ok' ? answer : await psp.getPayment(payment.pspPaymentKey!);
  if (record.kind !== 'ok') throw new AppError('PSP_UNAVAILABLE', 'The payment company did not confirm the cancel; nothing was changed on our side. Please try again.');
  const moved = await adoptPspPayment(db, payment, record.value, input.requestedBy);
  const [now] = await db.select().from(payments).where(eq(payments.id, payment.id));
  if (!moved && now!.status === 'AWAITING_DEPOSIT') {
    throw new AppError('NOT_REFUNDABLE', `The payment company did not cancel the virtual account (${answer.kind === 'error' ? answer.code : record.value.status}).`);
  }
  return now!;
}
