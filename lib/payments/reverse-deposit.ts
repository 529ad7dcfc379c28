import type { Db } from '@/db/client';
import { newId } from '@/lib/ids';
import { buildEvent } from '@/lib/outbox/enqueue-event';
import type { TossPayment } from '@/lib/psp/toss-client';
import { transitionPayment, type Payment } from './state-machine';

/**
 * A virtual account's deposit taken back by the bank (the PSP's record went DONE →
 * WAITING_FOR_DEPOSIT): SUCCESS → AWAITING_DEPOSIT, a CORRECTION journal that is the approval
 * journal's lines negated (amount and platform fee: the approval is undone, not refunded), the
 * event PaymentDepositReversed, and a flag so the merchant sees it. One statement, as every move.
 * The journal's external_ref is the PSP's transaction of the reversal, so the same reversal is
 * booked once however often it is reported. Only a payment nothing was refunded from is reversed
 * this way; anything else is for a person.
 */
export async function reverseDeposit(db: Db, payment: Payment, psp: TossPayment, actor: string): Promise<Payment | null> {
  const journalId = newId('jnl');
  const reason = `PSP says WAITING_FOR_DEPOSIT: the bank took the deposit back (${psp.lastTransactionKey ?? 'no transaction key'}); the approval was reversed`;
  const event = buildEvent({
    type: 'PaymentDepositReversed', merchantId: payment.merchantId, paymentId: payment.id, orderId: payment.orderId,
    amount: Number(payment.amount), currency: payment.currency, pspPaymentKey: psp.paymentKey, platformFee: 0,
  });
  return transitionPayment(db, {
    paymentId: payment.id,
    event: 'DEPOSIT_REVERSED',
    actor,
    set: { needsAttention: reason },
    detail: { pspStatus: psp.status, lastTransactionKey: psp.lastTransactionKey ?? null },
  }, (sql) => sql`,
    approval as (
      select j.id from journals j join moved on j.payment_id = moved.id
      where j.kind = 'PAYMENT_APPROVAL' and moved.refunded_amount = 0
    ), fee as (
      select coalesce(-sum(l.amount), 0) as fee from journal_lines l join ledger_accounts a on a.id = l.account_id
      where l.journal_id = (select id from approval) and a.code = 'PLATFORM_REVENUE'
    ), journal as (
      insert into journals (id, merchant_id, kind, payment_id, external_ref, description)
      select ${journalId}, moved.merchant_id, 'CORRECTION', moved.id, ${`deposit-reversal:${psp.lastTransactionKey ?? payment.id}`}, 'Deposit reversed for ' || moved.order_id
      from moved where exists (select 1 from approval)
      returning id
    ), lines as (
      insert into journal_lines (journal_id, account_id, amount, currency)
      select (select id from journal), l.account_id, -l.amount, l.currency from journal_lines l
      where l.journal_id = (select id from approval) and exists (select 1 from journal)
    ), event as (
      insert into outbox (event_id, event_type, aggregate_id, merchant_id, payload)
      select ${event.eventId}, ${event.type}, id, merchant_id, ${JSON.stringify(event)}::jsonb || jsonb_build_object('platformFee', (select fee from fee))
      from moved
    )`);
}
