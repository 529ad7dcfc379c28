import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspPayments, type PspCancelObject } from '../db/schema';
import { type Clock, systemClock, toKstIso } from './clock';
import { PspError } from './errors';
import { enqueuePaymentWebhook } from './enqueue-webhook';
import { isPastConfirmWindow, markExpired } from './expire-payment';
import { newTransactionKey } from './keys';
import type { PspPaymentRow } from './payment-object';
import { recordTransaction } from './transactions';
import { refundReceiveAccountSchema } from './requests';
import { describeIssues } from './validation';

export interface CancelPaymentParams {
  /** The merchant whose secret key authenticated the call: other merchants' payments do not exist for it. */
  mId: string;
  paymentKey: string;
  /** Required by Toss, at most 200 characters. */
  cancelReason: string;
  /** Omitted = cancel the whole remaining balance. A positive whole amount. */
  cancelAmount?: number;
  /** Optimistic guard: the balance the caller believes the payment has. */
  refundableAmount?: number;
  currency?: string;
  /** Required for a virtual account that has been paid (validated here); ignored otherwise. */
  refundReceiveAccount?: unknown;
}

/**
 * Cancels all or part of an approved payment (Toss's `POST /v1/payments/{paymentKey}/cancel`,
 * reference §5.1). The row is locked for the decision, so concurrent partial cancels that
 * together exceed the balance cannot both succeed: the later one sees the reduced balance and
 * gets NOT_CANCELABLE_AMOUNT. The cancel, its settlement transaction and its webhook commit
 * together.
 * Returns the payment as it is now; throws PspError for every refusal.
 */
export async function cancelPayment(db: DbOrTx, params: CancelPaymentParams, now: Clock = systemClock): Promise<PspPaymentRow> {
  const at = now();
  const outcome = await db.transaction(async (tx): Promise<PspPaymentRow | PspError> => {
    const [p] = await tx.select().from(pspPayments)
      .where(and(eq(pspPayments.paymentKey, params.paymentKey), eq(pspPayments.mId, params.mId)))
      .for('update');
    if (!p) return new PspError('NOT_FOUND_PAYMENT');
    if (isPastConfirmWindow(p, at)) {
      // As a lookup would: the payment is expired now, whatever this call's answer.
      await markExpired(tx, p.paymentKey, at);
      return new PspError('NOT_CANCELABLE_PAYMENT');
    }
    // ALREADY_CANCELED_PAYMENT is not in Toss's documented cancel error table, but integrations
    // handle it for a payment that is already fully cancelled (reference §4.4, unconfirmed).
    if (p.status === 'CANCELED') return new PspError('ALREADY_CANCELED_PAYMENT');
    if (p.status === 'WAITING_FOR_DEPOSIT') {
      // Before the deposit there is nothing to refund: only the whole payment can be called off.
      if (params.cancelAmount !== undefined && params.cancelAmount !== p.balanceAmount) return new PspError('NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT');
      return cancelBeforeDeposit(tx, p, params.cancelReason, at);
    }
    if (p.method === 'VIRTUAL_ACCOUNT') {
      // Paid into a virtual account: the refund goes to an account the buyer names (reference §5.1).
      if (params.refundReceiveAccount === undefined) return new PspError('INVALID_REFUND_ACCOUNT_INFO', 'refundReceiveAccount (bank, accountNumber, holderName) is required to refund a paid virtual account.');
      const account = refundReceiveAccountSchema.safeParse(params.refundReceiveAccount);
      if (!account.success) return new PspError('INVALID_REFUND_ACCOUNT_NUMBER', `refundReceiveAccount is invalid: ${describeIssues(account.error).join('; ')}.`);
    }
    if (p.status !== 'DONE' && p.status !== 'PARTIAL_CANCELED') return new PspError('NOT_CANCELABLE_PAYMENT');
    if (params.currency !== undefined && params.currency !== p.currency) {
      return new PspError('INVALID_REQUEST', `Invalid request: currency ${params.currency} does not match the payment's currency ${p.currency}.`);
    }
    if (params.refundableAmount !== undefined && params.refundableAmount !== p.balanceAmount) {
      return new PspError('NOT_MATCHES_REFUNDABLE_AMOUNT');
    }
    const cancelAmount = params.cancelAmount ?? p.balanceAmount;
    if (cancelAmount > p.balanceAmount) return new PspError('NOT_CANCELABLE_AMOUNT');

    const balanceAmount = p.balanceAmount - cancelAmount;
    const transactionKey = newTransactionKey();
    const cancel = cancelObject({ cancelAmount, cancelReason: params.cancelReason, refundableAmount: balanceAmount, transactionKey, at });
    const [canceled] = await tx.update(pspPayments)
      .set({
        status: balanceAmount === 0 ? 'CANCELED' : 'PARTIAL_CANCELED',
        balanceAmount,
        cancels: [...p.cancels, cancel],
        lastTransactionKey: transactionKey,
      })
      .where(eq(pspPayments.paymentKey, p.paymentKey))
      .returning();
    if (!canceled) throw new Error(`payment ${p.paymentKey} vanished while locked`);
    await recordTransaction(tx, { transactionKey, paymentKey: p.paymentKey, mId: p.mId, kind: 'CANCEL', amount: cancelAmount, at });
    await enqueuePaymentWebhook(tx, canceled, at);
    return canceled;
  });
  // Refusals are returned, not thrown, inside the transaction so that what it did commit
  // (an expiry) is kept.
  if (outcome instanceof PspError) throw outcome;
  return outcome;
}

/** WAITING_FOR_DEPOSIT → CANCELED: the account stops taking deposits; no money moved, so no settlement row. */
async function cancelBeforeDeposit(tx: DbOrTx, p: PspPaymentRow, cancelReason: string, at: Date): Promise<PspPaymentRow> {
  const transactionKey = newTransactionKey();
  const cancel = cancelObject({ cancelAmount: p.balanceAmount, cancelReason, refundableAmount: 0, transactionKey, at });
  const [canceled] = await tx.update(pspPayments)
    .set({ status: 'CANCELED', balanceAmount: 0, cancels: [...p.cancels, cancel], lastTransactionKey: transactionKey })
    .where(eq(pspPayments.paymentKey, p.paymentKey))
    .returning();
  if (!canceled) throw new Error(`payment ${p.paymentKey} vanished while locked`);
  await enqueuePaymentWebhook(tx, canceled, at);
  return canceled;
}

/** The Cancel object Toss appends to a payment's `cancels` for a cancel that is done at once. */
function cancelObject(c: { cancelAmount: number; cancelReason: string; refundableAmount: number; transactionKey: string; at: Date }): PspCancelObject {
  return {
    cancelAmount: c.cancelAmount,
    cancelReason: c.cancelReason,
    taxFreeAmount: 0,
    taxExemptionAmount: 0,
    refundableAmount: c.refundableAmount,
    cardDiscountAmount: 0,
    transferDiscountAmount: 0,
    easyPayDiscountAmount: 0,
    canceledAt: toKstIso(c.at),
    transactionKey: c.transactionKey,
    receiptKey: null,
    cancelStatus: 'DONE',
    cancelRequestId: null,
  };
}
