import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspPayments } from '../db/schema';
import { type Clock, systemClock } from './clock';
import { PspError } from './errors';
import { enqueueDepositCallback } from './enqueue-webhook';
import { newTransactionKey } from './keys';
import type { PspPaymentRow } from './payment-object';
import { recordTransaction } from './transactions';

/**
 * What the bank does to a virtual account, driven by the sandbox's operator (Toss's developer
 * center lets a tester simulate a deposit the same way, reference §8.2). Each locks the payment,
 * changes it, records the money movement for settlements and queues the DEPOSIT_CALLBACK in one
 * transaction. Throws PspError when the payment is not in a state the operation applies to.
 */

interface Target {
  mId: string;
  paymentKey: string;
}

async function lockVirtualAccount(tx: DbOrTx, t: Target): Promise<PspPaymentRow> {
  const [p] = await tx.select().from(pspPayments)
    .where(and(eq(pspPayments.paymentKey, t.paymentKey), eq(pspPayments.mId, t.mId)))
    .for('update');
  if (!p) throw new PspError('NOT_FOUND_PAYMENT');
  if (p.method !== 'VIRTUAL_ACCOUNT') throw new PspError('INVALID_REQUEST', `Payment ${p.paymentKey} is not a virtual account.`);
  return p;
}

/**
 * The buyer's money arrives: WAITING_FOR_DEPOSIT → DONE, an APPROVAL settlement row, and a
 * DEPOSIT_CALLBACK with status DONE. The bank takes it even after the due date (the sandbox lets
 * an operator play a bank whose clock disagrees), so merchants can test a deposit that arrives
 * after they gave up on the payment.
 */
export async function depositToVirtualAccount(db: DbOrTx, t: Target & { depositorName?: string }, now: Clock = systemClock): Promise<PspPaymentRow> {
  const at = now();
  return db.transaction(async (tx) => {
    const p = await lockVirtualAccount(tx, t);
    if (p.status !== 'WAITING_FOR_DEPOSIT') throw new PspError('INVALID_REQUEST', `Payment ${p.paymentKey} is ${p.status}, not WAITING_FOR_DEPOSIT: there is nothing to deposit.`);
    const transactionKey = newTransactionKey();
    const [paid] = await tx.update(pspPayments)
      .set({ status: 'DONE', approvedAt: at, lastTransactionKey: transactionKey, vaCustomerName: t.depositorName ?? p.vaCustomerName })
      .where(eq(pspPayments.paymentKey, p.paymentKey))
      .returning();
    if (!paid) throw new Error(`payment ${p.paymentKey} vanished while locked`);
    await recordTransaction(tx, { transactionKey, paymentKey: p.paymentKey, mId: p.mId, kind: 'APPROVAL', amount: p.amount, at });
    await enqueueDepositCallback(tx, paid, at);
    return paid;
  });
}

/**
 * The bank takes a deposit back (a failed or mistaken deposit): DONE → WAITING_FOR_DEPOSIT, as
 * Toss does since 2022-11-16 (reference §3), a CANCEL settlement row, and a DEPOSIT_CALLBACK with
 * status WAITING_FOR_DEPOSIT. Only a deposit not cancelled in part or whole can be reversed.
 */
export async function reverseDeposit(db: DbOrTx, t: Target, now: Clock = systemClock): Promise<PspPaymentRow> {
  const at = now();
  return db.transaction(async (tx) => {
    const p = await lockVirtualAccount(tx, t);
    if (p.status !== 'DONE') throw new PspError('INVALID_REQUEST', `Payment ${p.paymentKey} is ${p.status}, not DONE: there is no deposit to reverse.`);
    const transactionKey = newTransactionKey();
    const [reversed] = await tx.update(pspPayments)
      .set({ status: 'WAITING_FOR_DEPOSIT', approvedAt: null, lastTransactionKey: transactionKey })
      .where(eq(pspPayments.paymentKey, p.paymentKey))
      .returning();
    if (!reversed) throw new Error(`payment ${p.paymentKey} vanished while locked`);
    await recordTransaction(tx, { transactionKey, paymentKey: p.paymentKey, mId: p.mId, kind: 'CANCEL', amount: p.amount, at });
    await enqueueDepositCallback(tx, reversed, at);
    return reversed;
  });
}

/**
 * The due date passes now: the account's due date is moved to just before `now`, so lookups show
 * `virtualAccount.expired: true`. As at Toss, the status stays WAITING_FOR_DEPOSIT and no webhook
 * is sent (reference §3): the merchant must notice by itself.
 */
export async function passDueDate(db: DbOrTx, t: Target, now: Clock = systemClock): Promise<PspPaymentRow> {
  const at = now();
  return db.transaction(async (tx) => {
    const p = await lockVirtualAccount(tx, t);
    if (p.status !== 'WAITING_FOR_DEPOSIT') throw new PspError('INVALID_REQUEST', `Payment ${p.paymentKey} is ${p.status}, not WAITING_FOR_DEPOSIT: it has no due date to pass.`);
    const [moved] = await tx.update(pspPayments)
      .set({ vaDueAt: new Date(at.getTime() - 1000) })
      .where(eq(pspPayments.paymentKey, p.paymentKey))
      .returning();
    if (!moved) throw new Error(`payment ${p.paymentKey} vanished while locked`);
    return moved;
  });
}
