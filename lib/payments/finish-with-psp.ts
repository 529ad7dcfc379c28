import type { Db } from '@/db/client';
import { isUniqueViolation } from '@/lib/db-errors';
import { log } from '@/lib/log';
import { meaningOfConfirmError } from '@/lib/psp/confirm-errors';
import type { TossClient, TossPayment } from '@/lib/psp/toss-client';
import { chargedAtPsp } from './charged-at-psp';
import { approvePayment, awaitDeposit, failPayment, markOutcomeUnknown } from './finish-payment';
import { parseTossDateTime, payMethodOf } from './pay-method';
import { transitionPayment, type Payment } from './state-machine';

/**
 * Finishing a payment from the PSP's word, shared by confirm (the success redirect), recovery and
 * inbound webhooks. Each returns the payment as this call moved it, or null when it moved nothing
 * (another path got there first, or the outcome stays open).
 */

/** Calls confirm and finishes the attempt by what the PSP said (or did not say). */
export async function finishWithPsp(db: Db, psp: TossClient, payment: Payment, actor: string): Promise<Payment | null> {
  const result = await psp.confirm({
    paymentKey: payment.pspPaymentKey!,
    orderId: payment.orderId,
    amount: Number(payment.amount),
    idempotencyKey: payment.confirmIdempotencyKey,
  });
  if (result.kind === 'ok') return adoptPspPayment(db, payment, result.value, actor);
  if (result.kind === 'no-answer') {
    log.warn({ paymentId: payment.id, reason: result.reason }, 'confirm outcome unknown');
    return markOutcomeUnknown(db, payment, result.reason, actor);
  }
  const failure = { code: result.code, message: result.message };
  switch (meaningOfConfirmError(result.code)) {
    case 'declined':
      return failPayment(db, payment, failure, actor);
    case 'already-processed': {
      // We may have confirmed before and lost the answer: the PSP's record decides.
      const lookup = await psp.getPayment(payment.pspPaymentKey!);
      if (lookup.kind === 'ok') return adoptPspPayment(db, payment, lookup.value, actor);
      return markOutcomeUnknown(db, payment, `ALREADY_PROCESSED_PAYMENT and lookup failed: ${lookup.kind}`, actor);
    }
    case 'unknown':
      return markOutcomeUnknown(db, payment, `${result.httpStatus} ${result.code}: ${result.message}`, actor);
  }
}

/** Finishes a payment by the PSP's own record of it. A record of another order finishes nothing. */
export async function adoptPspPayment(db: Db, payment: Payment, psp: TossPayment, actor: string): Promise<Payment | null> {
  const ours = psp.orderId === payment.orderId;
  const matches = ours && BigInt(psp.totalAmount) === payment.amount && psp.currency === payment.currency;
  if (payment.status === 'AWAITING_DEPOSIT') return adoptForVirtualAccount(db, payment, psp, matches, actor);
  if (psp.status === 'DONE' && matches && payMethodOf(psp).method === 'VIRTUAL_ACCOUNT') {
    // Paid into a virtual account before we learned it was issued (the confirm's answer lost, the
    // shopper quick): record the account on the way, as the deposit's own path would have. Without
    // it every genuine DEPOSIT_CALLBACK of this payment is refused (no account of ours to check
    // its secret against), and the payment's history would skip the wait it went through.
    const account = issuedAccount(psp);
    if (account) {
      const waiting = await awaitDeposit(db, payment, psp, account, actor);
      if (!waiting) return null; // another path moved it first
      return adoptForVirtualAccount(db, waiting, psp, matches, actor);
    }
  }
  if (psp.status === 'DONE' && matches) return approvePayment(db, payment, psp, actor);
  if (psp.status === 'WAITING_FOR_DEPOSIT' && matches) {
    const account = issuedAccount(psp);
    if (account) return awaitDeposit(db, payment, psp, account, actor);
  }
  if ((psp.status === 'ABORTED' || psp.status === 'EXPIRED') && ours) {
    return failPayment(db, payment, psp.failure ?? { code: psp.status, message: `The payment is ${psp.status.toLowerCase()} at the PSP.` }, actor);
  }
  // DONE for another amount or order, or a state we do not expect here: a person must look.
  log.error({ paymentId: payment.id, pspStatus: psp.status, pspAmount: psp.totalAmount, pspOrderId: psp.orderId }, 'PSP record disagrees with the payment');
  return markOutcomeUnknown(db, payment, `PSP says ${psp.status} ${psp.totalAmount} ${psp.currency} for ${psp.orderId}`, actor);
}

/**
 * A virtual account waiting for its deposit, by the PSP's record: DONE is the deposit (the same
 * approval, journal and event as a card's); still WAITING_FOR_DEPOSIT changes nothing (the expiry
 * job ends it when its due date passes); cancelled before the deposit ends it FAILURE. Anything
 * else is for a person.
 */
async function adoptForVirtualAccount(db: Db, payment: Payment, psp: TossPayment, matches: boolean, actor: string): Promise<Payment | null> {
  if (psp.status === 'DONE' && matches) {
    try {
      return await approvePayment(db, payment, psp, actor);
    } catch (err) {
      // Paid again after the bank took a first deposit back: the approval journal exists (and its
      // reversal); a second approval is a person's decision, never booked by itself.
      if (!isUniqueViolation(err, 'journals_one_approval_per_payment')) throw err;
      const reason = 'PSP says DONE again after the deposit was reversed; not booked twice';
      await transitionPayment(db, { paymentId: payment.id, event: 'NEEDS_ATTENTION', actor, set: { needsAttention: reason }, detail: { reason } });
      return null;
    }
  }
  if (psp.status === 'WAITING_FOR_DEPOSIT' && matches) return null;
  if (psp.status === 'CANCELED' && matches && !chargedAtPsp(psp)) {
    return failPayment(db, payment, { code: 'CANCELED_BEFORE_DEPOSIT', message: 'The virtual account was cancelled before any deposit.' }, actor, ['AWAITING_DEPOSIT']);
  }
  log.error({ paymentId: payment.id, pspStatus: psp.status, pspAmount: psp.totalAmount }, 'PSP record of a virtual account disagrees with the payment');
  const reason = `PSP says ${psp.status} ${psp.totalAmount} ${psp.currency} for a virtual account awaiting its deposit`;
  await transitionPayment(db, { paymentId: payment.id, event: 'NEEDS_ATTENTION', actor, set: { needsAttention: reason }, detail: { reason } });
  return null;
}

/** The virtual account of a WAITING_FOR_DEPOSIT payment, or null when the PSP's record lacks a part of it. */
function issuedAccount(psp: TossPayment) {
  const va = psp.virtualAccount;
  const dueAt = va ? parseTossDateTime(va.dueDate) : null;
  if (!va || !dueAt || !psp.secret) return null;
  return { bankCode: va.bankCode, accountNumber: va.accountNumber, customerName: va.customerName ?? null, dueAt, secret: psp.secret };
}
