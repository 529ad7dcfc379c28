import { and, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { paymentHistory, payments, pspWebhookReceipts, virtualAccounts } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { getOrderStatus } from '@/lib/payments/get-order-status';
import { receiveDepositCallback } from '@/lib/psp-webhooks/deposit-callback';
import { processPspWebhook, pspWebhookSchema, recordPspWebhook } from '@/lib/psp-webhooks/receive-psp-webhook';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { cancelVirtualAccount } from '@/lib/refunds/cancel-virtual-account';
import { requestRefund } from '@/lib/refunds/request-refund';
import { openRefundAccount } from '@/lib/refunds/refund-account';
import { reconciliationItems, refunds } from '@/db/schema';
import { env } from '@/lib/env';
import { decryptField, encryptField } from '@/lib/security/refund-account-cipher';
import { recoverPayment } from '@/lib/recovery/recover-payment';
import { sandboxDb } from '@/sandbox/db/client';
import { injectFault } from '@/sandbox/lib/faults';
import { expireDepositsJob } from '@/lib/recovery/jobs/expire-deposits';
import { defaultRecoveryPolicy } from '@/lib/recovery/recovery-policy';
import { orderFacts } from '../helpers/ledger-counts';
import { usePaymentsHarness } from '../helpers/payments-harness';

const t = usePaymentsHarness();

const newOrder = () => createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
const paymentOf = async (orderId: string) => (await t.db.select().from(payments).where(eq(payments.orderId, orderId)))[0]!;

/** The shopper picks `payWith` in the window and comes back: our confirm runs. */
async function paidWith(payWith: string) {
  const order = await newOrder();
  const query = successRedirectSchema.parse(await t.psp.approve(order, payWith));
  const view = await confirmPayment(t.db, t.psp.client(), query);
  return { order, paymentKey: query.paymentKey, view };
}

/** What Toss would POST for the payment as the PSP has it now (its secret read with our key). */
async function callbackOf(paymentKey: string) {
  const lookup = await t.psp.client().getPayment(paymentKey);
  if (lookup.kind !== 'ok') throw new Error(`lookup failed: ${lookup.kind}`);
  const p = lookup.value;
  return { createdAt: '2026-12-06T10:00:00.000000', secret: p.secret!, status: p.status, transactionKey: p.lastTransactionKey ?? null, orderId: p.orderId };
}

/** Receives a callback as the route does and processes it at once; returns the outcome. */
async function deliver(body: Awaited<ReturnType<typeof callbackOf>>, transmissionId = `whtrans_${newId('evt')}`) {
  const fresh = await receiveDepositCallback(t.db, transmissionId, body);
  return fresh ? processPspWebhook(t.db, t.psp.client(), transmissionId) : 'duplicate';
}

describe('every method pays through the same confirm', () => {
  it.each([
    ['CARD', 'CARD', null],
    ['TOSSPAY', 'EASY_PAY', '토스페이'],
    ['KAKAOPAY', 'EASY_PAY', '카카오페이'],
    ['NAVERPAY', 'EASY_PAY', '네이버페이'],
    ['TRANSFER', 'TRANSFER', null],
    ['MOBILE_PHONE', 'MOBILE_PHONE', null],
  ])('%s: SUCCESS with method %s stored, one approval journal and event', async (payWith, method, provider) => {
    const { order, view } = await paidWith(payWith);
    expect(view.status).toBe('PAID');
    const p = await paymentOf(order.orderId);
    expect([p.status, p.method, p.easyPayProvider]).toEqual(['SUCCESS', method, provider]);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals).toHaveLength(1);
    expect(facts.events.map((e) => e.eventType)).toEqual(['PaymentApproved']);
  });
});

describe('virtual accounts', () => {
  it('confirm answering WAITING_FOR_DEPOSIT leaves the payment AWAITING_DEPOSIT with its account, no journal, one PaymentAwaitingDeposit', async () => {
    const { order, paymentKey, view } = await paidWith('VIRTUAL_ACCOUNT');
    expect(view.status).toBe('AWAITING_DEPOSIT');
    const p = await paymentOf(order.orderId);
    expect([p.status, p.method, p.pspPaymentKey]).toEqual(['AWAITING_DEPOSIT', 'VIRTUAL_ACCOUNT', paymentKey]);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals).toHaveLength(0);
    expect(facts.events.map((e) => e.eventType)).toEqual(['PaymentAwaitingDeposit']);
    const [va] = await t.db.select().from(virtualAccounts).where(eq(virtualAccounts.paymentId, p.id));
    const psp = await callbackOf(paymentKey);
    expect(va!.secretSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(va)).not.toContain(psp.secret); // only its digest is kept
    // The shopper's view: bank, number, due date; never the secret.
    const shown = await getOrderStatus(t.db, order.orderId);
    expect(shown.virtualAccount).toMatchObject({ bankCode: '20', bankName: '우리은행', accountNumber: va!.accountNumber });
    expect(JSON.stringify(shown)).not.toContain(psp.secret);
    // Revisiting the success URL changes nothing.
    await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse({ orderId: order.orderId, paymentKey, amount: String(order.amount) }));
    expect((await orderFacts(t.db, order.orderId)).history.filter((e) => e === 'DEPOSIT_AWAITED')).toHaveLength(1);
  });

  it('a genuine DEPOSIT_CALLBACK approves on a fresh lookup, like a card: one journal, one PaymentApproved; duplicates and replays change nothing', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    const issued = await callbackOf(paymentKey);
    // The issue callback (WAITING_FOR_DEPOSIT) changes nothing.
    expect(await deliver(issued)).toMatch(/no change/);
    await t.psp.bank(paymentKey, 'deposit');
    const paid = await callbackOf(paymentKey);
    const id = `whtrans_${newId('evt')}`;
    expect(await deliver(paid, id)).toMatch(/finished by PSP status DONE/);
    expect(await deliver(paid, id)).toBe('duplicate'); // the same transmission again
    expect(await deliver(paid)).toMatch(/already agree/); // a PSP retry with a new id
    expect(await deliver(issued)).toMatch(/already agree/); // the issue callback arriving late
    const p = await paymentOf(order.orderId);
    expect(p.status).toBe('SUCCESS');
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals.map((j) => j.kind)).toEqual(['PAYMENT_APPROVAL']);
    expect(facts.events.map((e) => e.eventType).sort()).toEqual(['PaymentApproved', 'PaymentAwaitingDeposit']);
    expect((await getOrderStatus(t.db, order.orderId)).status).toBe('PAID');
    // The stored receipt carries no secret.
    const [receipt] = await t.db.select().from(pspWebhookReceipts).where(eq(pspWebhookReceipts.transmissionId, id));
    expect(JSON.stringify(receipt!.payload)).not.toContain(paid.secret);
  });

  it('a callback with a wrong secret or for an unknown order is refused and changes nothing, even when the PSP has the deposit', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    await t.psp.bank(paymentKey, 'deposit');
    const genuine = await callbackOf(paymentKey);
    const before = await t.db.select().from(paymentHistory).where(eq(paymentHistory.paymentId, (await paymentOf(order.orderId)).id));

    const wrong = deliver({ ...genuine, secret: `ps_${'A'.repeat(28)}` });
    await expect(wrong).rejects.toBeInstanceOf(AppError);
    await expect(wrong).rejects.toMatchObject({ code: 'WEBHOOK_NOT_GENUINE', status: 401 });
    await expect(deliver({ ...genuine, orderId: 'ord_no_such_order_1' })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    // Another order's genuine secret does not open this one.
    const other = await paidWith('VIRTUAL_ACCOUNT');
    await expect(deliver({ ...genuine, secret: (await callbackOf(other.paymentKey)).secret })).rejects.toMatchObject({ code: 'WEBHOOK_NOT_GENUINE' });

    const p = await paymentOf(order.orderId);
    expect(p.status).toBe('AWAITING_DEPOSIT');
    expect(await t.db.select().from(paymentHistory).where(eq(paymentHistory.paymentId, p.id))).toHaveLength(before.length);
    expect((await orderFacts(t.db, order.orderId)).journals).toHaveLength(0);
    expect(await t.db.select().from(pspWebhookReceipts).where(eq(pspWebhookReceipts.orderId, order.orderId))).toHaveLength(0);
  });

  it('a genuine but stale callback (it says DONE, the PSP does not) books nothing', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    const issued = await callbackOf(paymentKey);
    expect(await deliver({ ...issued, status: 'DONE' })).toMatch(/no change: PSP status WAITING_FOR_DEPOSIT/);
    expect((await paymentOf(order.orderId)).status).toBe('AWAITING_DEPOSIT');
    expect((await orderFacts(t.db, order.orderId)).journals).toHaveLength(0);
  });

  it('concurrent callbacks of one deposit book it once', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    await t.psp.bank(paymentKey, 'deposit');
    const paid = await callbackOf(paymentKey);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => deliver(paid)));
    expect(outcomes.filter((o) => /finished by PSP status DONE/.test(o))).toHaveLength(1);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals).toHaveLength(1);
    expect(facts.events.filter((e) => e.eventType === 'PaymentApproved')).toHaveLength(1);
  });
});

describe('recovery of a virtual account whose confirm answer was lost', () => {
  it('the lookup finds WAITING_FOR_DEPOSIT: AWAITING_DEPOSIT with its account, no journal', async () => {
    const order = await newOrder();
    const query = successRedirectSchema.parse(await t.psp.approve(order, 'VIRTUAL_ACCOUNT'));
    await injectFault(sandboxDb(t.db), `m${t.psp.secretKey.slice('test_sk_'.length).slice(0, 12)}`, { operation: 'confirm', mode: 'lose-response' });
    await confirmPayment(t.db, t.psp.client(), query);
    const lost = await paymentOf(order.orderId);
    expect(lost.status).toBe('UNKNOWN');
    expect(await recoverPayment(t.db, t.psp.client(), lost, { ...defaultRecoveryPolicy, graceMs: 0 })).toBe('finished');
    const p = await paymentOf(order.orderId);
    expect([p.status, p.method]).toEqual(['AWAITING_DEPOSIT', 'VIRTUAL_ACCOUNT']);
    expect(await t.db.select().from(virtualAccounts).where(eq(virtualAccounts.paymentId, p.id))).toHaveLength(1);
    expect((await orderFacts(t.db, order.orderId)).journals).toHaveLength(0);
  });
});

describe('the due date passes (no webhook comes)', () => {
  const policy = { ...defaultRecoveryPolicy, depositDueGraceMs: 0 };
  const runJob = () => expireDepositsJob.run({ db: t.db, psp: t.psp.client(), policy, log: pino({ level: 'silent' }) });
  /** Our record of the due date moves into the past (as time would); the PSP's clock is the sandbox's own. */
  const ourDueDatePassed = async (paymentId: string) => {
    await t.db.update(virtualAccounts).set({ dueAt: sql`now() - interval '1 second'` }).where(eq(virtualAccounts.paymentId, paymentId));
  };

  it('recovery looks it up and ends it FAILURE (expired) with history and event; a deposit after that is flagged, never booked', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    const p = await paymentOf(order.orderId);
    await ourDueDatePassed(p.id);
    await t.psp.bank(paymentKey, 'pass-due-date');
    await runJob();
    const ended = await paymentOf(order.orderId);
    expect([ended.status, ended.failureCode]).toEqual(['FAILURE', 'VIRTUAL_ACCOUNT_EXPIRED']);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.history).toContain('DECLINED');
    expect(facts.events.map((e) => e.eventType).sort()).toEqual(['PaymentAwaitingDeposit', 'PaymentFailed']);
    const view = await getOrderStatus(t.db, order.orderId);
    expect([view.status, view.payment?.failure?.code]).toEqual(['PAYMENT_FAILED', 'VIRTUAL_ACCOUNT_EXPIRED']);

    // The bank takes a deposit anyway: the callback is genuine, the PSP says DONE, we say FAILURE.
    await t.psp.bank(paymentKey, 'deposit');
    expect(await deliver(await callbackOf(paymentKey))).toMatch(/flagged/);
    const flagged = await paymentOf(order.orderId);
    expect(flagged.status).toBe('FAILURE');
    expect(flagged.needsAttention).toMatch(/PSP says DONE/);
    expect((await orderFacts(t.db, order.orderId)).journals).toHaveLength(0);
  });

  it('while the PSP does not call it expired, nothing changes and it is asked again later', async () => {
    const { order } = await paidWith('VIRTUAL_ACCOUNT');
    const p = await paymentOf(order.orderId);
    await ourDueDatePassed(p.id);
    const report = await runJob();
    expect(report.outcomes['not-expired-at-psp']).toBeGreaterThanOrEqual(1);
    const after = await paymentOf(order.orderId);
    expect(after.status).toBe('AWAITING_DEPOSIT');
    expect(after.nextRecoveryAt).not.toBeNull();
  });

  it('a deposit racing the expiry and a second callback: exactly one journal, and it is the approval', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    const p = await paymentOf(order.orderId);
    await ourDueDatePassed(p.id);
    await t.psp.bank(paymentKey, 'deposit'); // the money came in at the last minute
    const paid = await callbackOf(paymentKey);
    const [, first, second] = await Promise.all([runJob(), deliver(paid), deliver(paid)]);
    expect([first, second].filter((o) => /finished by PSP status DONE/.test(o)).length).toBeLessThanOrEqual(1);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['SUCCESS']);
    expect(facts.journals.map((j) => j.kind)).toEqual(['PAYMENT_APPROVAL']);
    expect(facts.events.filter((e) => e.eventType === 'PaymentApproved')).toHaveLength(1);
    expect(facts.events.filter((e) => e.eventType === 'PaymentFailed')).toHaveLength(0);
  });
});

describe('refunds of virtual accounts', () => {
  const refund = (paymentId: string, request: Record<string, unknown>, psp = t.psp.client()) =>
    requestRefund(t.db, psp, { merchantId: t.shop.merchantId, paymentId, idempotencyKey: newId('cfm'), request: request as never, requestedBy: 'test' });
  const ACCOUNT = { bank: '88', accountNumber: '110123456789', holderName: '홍길동' };

  it('before the deposit: no refund, only a whole cancel, which ends the payment without a journal', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    const p = await paymentOf(order.orderId);
    await expect(refund(p.id, { reason: '변심', amount: 1_000 })).rejects.toMatchObject({ code: 'NOT_REFUNDABLE' });
    const ended = await cancelVirtualAccount(t.db, t.psp.client(), { merchantId: t.shop.merchantId, paymentId: p.id, reason: '주문 취소', requestedBy: 'test' });
    expect([ended.status, ended.failureCode]).toEqual(['FAILURE', 'CANCELED_BEFORE_DEPOSIT']);
    const lookup = await t.psp.client().getPayment(paymentKey);
    expect(lookup.kind === 'ok' && lookup.value.status).toBe('CANCELED');
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals).toHaveLength(0);
    expect(facts.events.map((e) => e.eventType).sort()).toEqual(['PaymentAwaitingDeposit', 'PaymentFailed']);
    await expect(t.psp.bank(paymentKey, 'deposit')).rejects.toThrow(/400/); // the bank takes nothing into it now
  });

  it('after a cancel before the deposit, the PSP\'s CANCELED webhook and reconciliation agree: no money moved, nothing flagged', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    const p = await paymentOf(order.orderId);
    await cancelVirtualAccount(t.db, t.psp.client(), { merchantId: t.shop.merchantId, paymentId: p.id, reason: '주문 취소', requestedBy: 'test' });
    // Toss's record now says CANCELED with its balance at 0, as a refunded payment would; but no
    // deposit ever came (approvedAt is null), so there is nothing to refund and FAILURE is right.
    const lookup = await t.psp.client().getPayment(paymentKey);
    expect(lookup.kind === 'ok' && [lookup.value.status, lookup.value.balanceAmount, lookup.value.approvedAt ?? null]).toEqual(['CANCELED', 0, null]);
    const id = `whtrans_${newId('evt')}`;
    await recordPspWebhook(t.db, id, pspWebhookSchema.parse({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: '2026-12-06T10:00:00.000000', data: { paymentKey, orderId: order.orderId, status: 'CANCELED' } }));
    expect(await processPspWebhook(t.db, t.psp.client(), id)).toBe('no change: we already agree with the PSP');
    const after = await paymentOf(order.orderId);
    expect([after.status, after.needsAttention]).toEqual(['FAILURE', null]);
    const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    const run = await runReconciliation(t.db, t.psp.client(), { fromDate: today, toDate: today }, 'test');
    const [item] = await t.db.select().from(reconciliationItems).where(and(eq(reconciliationItems.runId, run.runId), eq(reconciliationItems.paymentId, p.id)));
    expect([item?.classification, item?.reason]).toEqual(['MATCHED', { code: 'NOT_CHARGED_EITHER', pspStatus: 'CANCELED' }]);
  });

  it('after the deposit: a refund needs the shopper\'s account, keeps it encrypted and masked, and books only what the PSP refunded', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    await t.psp.bank(paymentKey, 'deposit');
    await deliver(await callbackOf(paymentKey));
    const p = await paymentOf(order.orderId);
    expect(p.status).toBe('SUCCESS');

    await expect(refund(p.id, { reason: '변심', amount: 1_000 })).rejects.toMatchObject({ code: 'REFUND_ACCOUNT_REQUIRED', status: 422 });
    expect(await t.db.select().from(refunds).where(eq(refunds.paymentId, p.id))).toHaveLength(0);

    // The PSP refuses the account: nothing is booked.
    const refused = await refund(p.id, { reason: '변심', amount: 1_000, refundReceiveAccount: ACCOUNT }, t.psp.client({ headers: { 'TossPayments-Test-Code': 'INVALID_REFUND_ACCOUNT_NUMBER' } }));
    expect([refused.refund.status, refused.refund.failure?.code]).toEqual(['FAILED', 'INVALID_REFUND_ACCOUNT_NUMBER']);
    expect((await orderFacts(t.db, order.orderId)).journals.map((j) => j.kind)).toEqual(['PAYMENT_APPROVAL']);

    const { refund: done } = await refund(p.id, { reason: '변심', amount: 5_000, refundReceiveAccount: ACCOUNT });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.refundAccount).toBe('신한은행 ********6789 홍**');
    const [row] = await t.db.select().from(refunds).where(eq(refunds.id, done.id));
    expect(row!.refundAccountSealed).toMatch(/^v1\./);
    expect(row!.refundAccountSealed).not.toContain('110123456789');
    expect(openRefundAccount(env().REFUND_ACCOUNT_KEY, done.id, row!.refundAccountSealed!)).toEqual(ACCOUNT);
    // Bound to its refund: the same ciphertext does not open as another refund's.
    expect(() => openRefundAccount(env().REFUND_ACCOUNT_KEY, refused.refund.id, row!.refundAccountSealed!)).toThrow();
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals.map((j) => j.kind).sort()).toEqual(['PAYMENT_APPROVAL', 'REFUND']);
    expect((await paymentOf(order.orderId)).status).toBe('PARTIALLY_REFUNDED');
    const lookup = await t.psp.client().getPayment(paymentKey);
    expect(lookup.kind === 'ok' && [lookup.value.status, lookup.value.balanceAmount]).toEqual(['PARTIAL_CANCELED', Number(p.amount) - 5_000]);
  });

  it('a malformed refund account is refused before anything is reserved', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    await t.psp.bank(paymentKey, 'deposit');
    await deliver(await callbackOf(paymentKey));
    const p = await paymentOf(order.orderId);
    const { refundRequestSchema } = await import('@/lib/refunds/request-refund');
    for (const bad of [{ ...ACCOUNT, accountNumber: '110-123-456' }, { ...ACCOUNT, bank: 'Shinhan' }, { ...ACCOUNT, holderName: '' }, { bank: '88' }]) {
      expect(refundRequestSchema.safeParse({ reason: 'x', refundReceiveAccount: bad }).success).toBe(false);
    }
    expect(await t.db.select().from(refunds).where(eq(refunds.paymentId, p.id))).toHaveLength(0);
  });

  it('the cipher refuses a value altered or sealed with another key', () => {
    const key = env().REFUND_ACCOUNT_KEY;
    const sealed = encryptField(key, 'secret text', 'rfd_1');
    expect(decryptField(key, sealed, 'rfd_1')).toBe('secret text');
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptField(key, [v, iv, tag, flipped.toString('base64url')].join('.'), 'rfd_1')).toThrow();
    expect(() => decryptField(Buffer.alloc(32, 7).toString('base64'), sealed, 'rfd_1')).toThrow();
  });
});

describe('a deposit reversed by the bank', () => {
  it('books the reversal once: a correction journal that undoes the approval, the payment awaiting again and flagged; a second deposit is not booked twice', async () => {
    const { order, paymentKey } = await paidWith('VIRTUAL_ACCOUNT');
    await t.psp.bank(paymentKey, 'deposit');
    await deliver(await callbackOf(paymentKey));
    expect((await paymentOf(order.orderId)).status).toBe('SUCCESS');

    await t.psp.bank(paymentKey, 'reverse-deposit');
    const reversal = await callbackOf(paymentKey);
    expect(reversal.status).toBe('WAITING_FOR_DEPOSIT');
    expect(await deliver(reversal)).toMatch(/deposit reversed/);
    expect(await deliver(reversal)).toMatch(/agree|no change/); // the same report again
    const p = await paymentOf(order.orderId);
    expect(p.status).toBe('AWAITING_DEPOSIT');
    expect(p.needsAttention).toMatch(/took the deposit back/);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals.map((j) => j.kind).sort()).toEqual(['CORRECTION', 'PAYMENT_APPROVAL']);
    expect(facts.events.map((e) => e.eventType).sort()).toEqual(['PaymentApproved', 'PaymentAwaitingDeposit', 'PaymentDepositReversed']);
    // The two journals cancel out: nothing is owed to the merchant for this payment any more.
    const net = await t.db.execute<{ account: string; total: string }>(sql`select a.code::text as account, sum(l.amount)::text as total
      from journal_lines l join journals j on j.id = l.journal_id join ledger_accounts a on a.id = l.account_id
      where j.payment_id = ${p.id} group by a.code`);
    expect([...net].every((r) => r.total === '0')).toBe(true);
    expect((await t.db.select().from(paymentHistory).where(eq(paymentHistory.paymentId, p.id))).filter((h) => h.event === 'DEPOSIT_REVERSED')).toHaveLength(1);

    // The shopper pays again: the PSP says DONE, a person decides (no second approval journal).
    await t.psp.bank(paymentKey, 'deposit');
    await deliver(await callbackOf(paymentKey));
    const again = await orderFacts(t.db, order.orderId);
    expect(again.journals).toHaveLength(2);
    expect((await paymentOf(order.orderId)).status).toBe('AWAITING_DEPOSIT');
  });
});
