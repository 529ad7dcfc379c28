import { reconReasonText } from '@/lib/i18n/words';
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { journals, payments, reconciliationItems, reconciliationRuns } from '@/db/schema';
import { newId } from '@/lib/ids';
import { accountBalances, trialBalance } from '@/lib/ledger/balances';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { kstDateOf } from '@/lib/kst';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { createTossClient } from '@/lib/psp/toss-client';
import { dailyReconciliationJob } from '@/lib/recovery/jobs/daily-reconciliation';
import { defaultRecoveryPolicy } from '@/lib/recovery/recovery-policy';
import { requestRefund } from '@/lib/refunds/request-refund';
import { cancelVirtualAccount } from '@/lib/refunds/cancel-virtual-account';
import { usePaymentsHarness } from '../helpers/payments-harness';

const t = usePaymentsHarness({ isolated: true });

// Reconciliation compares everything of a day, so it gets a database of its own.
const today = kstDateOf(new Date());

async function pay(quantity: number, headers?: Record<string, string>) {
  const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[1], quantity }], checkoutKey: newId('cfm') });
  const query = successRedirectSchema.parse(await t.psp.approve(order));
  const result = await confirmPayment(t.db, t.psp.client({ headers }), query);
  return { order, query, result };
}
const itemsOf = (runId: string) => t.db.select().from(reconciliationItems).where(eq(reconciliationItems.runId, runId));

describe('reconciliation', () => {
  it('the daily job waits, recording no failed run, while the PSP does not answer (the worker starts before it)', async () => {
    const schedule = () => t.db.select().from(reconciliationRuns).where(eq(reconciliationRuns.trigger, 'schedule'));
    const ctx = { db: t.db, policy: defaultRecoveryPolicy, log: pino({ level: 'silent' }) };
    // Port 1 on loopback: nothing listens, the connection is refused like a PSP not up yet.
    const down = createTossClient({ baseUrl: 'http://127.0.0.1:1', secretKey: 'test_sk', timeoutMs: 2_000 });
    const waiting = await dailyReconciliationJob.run({ ...ctx, psp: down });
    expect(waiting).toEqual({ outcomes: { 'waiting-for-psp': 1 }, failed: 0 });
    expect(await schedule()).toHaveLength(0);

    const ran = await dailyReconciliationJob.run({ ...ctx, psp: t.psp.client() });
    expect(ran.outcomes).toEqual({ reconciled: 1 });
    const runs = await schedule();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.error).toBeNull();
  });

  it('matches approved and refunded payments, posts each settlement journal once, and keeps the books balanced', async () => {
    const a = await pay(1);
    const b = await pay(2);
    await requestRefund(t.db, t.psp.client(), { merchantId: t.shop.merchantId, paymentId: b.result.payment!.id, idempotencyKey: newId('rfd'), request: { amount: 1_000, reason: 'partial' }, requestedBy: 'test' });

    const run = await runReconciliation(t.db, t.psp.client(), { fromDate: today, toDate: today }, 'test');
    expect(run.counts).toEqual({ MATCHED: 2 });
    expect(run.settlementJournals).toBe(3); // two approvals and one cancel row
    const again = await runReconciliation(t.db, t.psp.client(), { fromDate: today, toDate: today }, 'test');
    expect(again.settlementJournals).toBe(0); // never posted twice

    const settled = await t.db.select().from(journals).where(and(eq(journals.merchantId, t.shop.merchantId), eq(journals.kind, 'SETTLEMENT')));
    expect(settled).toHaveLength(3);
    const balances = await accountBalances(t.db, t.shop.merchantId);
    const receivable = balances.find((x) => x.code === 'PSP_RECEIVABLE')!.balance;
    expect(receivable).toBe(0n); // everything approved was settled into cash and fees
    expect(balances.find((x) => x.code === 'CASH')!.balance).toBeGreaterThan(0n);
    expect(trialBalance(balances).get('KRW')).toBe(0n);
    expect(a.result.status).toBe('PAID');
  });

  it('the PSP says DONE while we recorded FAILURE → a status mismatch is reported, not fixed', async () => {
    // Our confirm was told "declined" (forced), but the payment went through at the PSP anyway.
    const { order, query } = await pay(1, { 'TossPayments-Test-Code': 'REJECT_CARD_PAYMENT' });
    const [ours] = await t.db.select().from(payments).where(eq(payments.orderId, order.orderId));
    expect(ours!.status).toBe('FAILURE');
    const direct = await t.psp.client().confirm({ paymentKey: query.paymentKey, orderId: order.orderId, amount: Number(query.amount), idempotencyKey: newId('cfm') });
    expect(direct.kind).toBe('ok');

    const run = await runReconciliation(t.db, t.psp.client(), { fromDate: today, toDate: today }, 'test');
    expect(run.counts.STATUS_MISMATCH).toBe(1);
    const [item] = (await itemsOf(run.runId)).filter((i) => i.classification === 'STATUS_MISMATCH');
    expect(item!.paymentId).toBe(ours!.id);
    expect(item!.reason).toEqual({ code: 'SETTLED_BUT_NOT_FINISHED', ourStatus: 'FAILURE' });
    expect(item!.detail).toBe('The PSP settled this payment but we have it as “Failed”.');
    // The dashboard words the stored reason in the reader's language.
    expect(reconReasonText('ko', item!.reason!)).toBe('PG사는 이 결제를 정산했지만 우리 쪽 상태는 “실패”입니다.');
    const [after] = await t.db.select().from(payments).where(eq(payments.id, ours!.id));
    expect(after!.status).toBe('FAILURE'); // reported for a person, never silently changed
    const posted = await t.db.select().from(journals).where(eq(journals.paymentId, ours!.id));
    expect(posted).toHaveLength(0);
  });

  it('a settlement for a payment we do not have is reported as missing on our side', async () => {
    const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
    const query = successRedirectSchema.parse(await t.psp.approve(order));
    // Charged at the PSP by someone else's confirm; our payment never reached confirm.
    await t.psp.client().confirm({ paymentKey: query.paymentKey, orderId: order.orderId, amount: Number(query.amount), idempotencyKey: newId('cfm') });
    const run = await runReconciliation(t.db, t.psp.client(), { fromDate: today, toDate: today }, 'test');
    const missing = (await itemsOf(run.runId)).filter((i) => i.classification === 'MISSING_OURS');
    expect(missing.map((i) => i.pspPaymentKey)).toContain(query.paymentKey);
  });

  it('refuses a bad date range with a clear error', async () => {
    await expect(runReconciliation(t.db, t.psp.client(), { fromDate: '2026-11-22', toDate: '2026-11-01' }, 'test')).rejects.toThrow(/fromDate must not be after toDate/);
    await expect(runReconciliation(t.db, t.psp.client(), { fromDate: '22-11-2026', toDate: '2026-11-01' }, 'test')).rejects.toThrow(/yyyy-MM-dd/);
  });

  it('a virtual account called off before its deposit is charged on neither side: MATCHED', async () => {
    // Seeded simulator, seed 900011: the PSP reports it CANCELED (as Toss does), which
    // reconciliation read as a charge and reported as a STATUS_MISMATCH against our FAILURE.
    const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[1], quantity: 1 }], checkoutKey: newId('cfm') });
    const view = await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(await t.psp.approve(order, 'VIRTUAL_ACCOUNT')));
    expect(view.status).toBe('AWAITING_DEPOSIT');
    const ended = await cancelVirtualAccount(t.db, t.psp.client(), { merchantId: t.shop.merchantId, paymentId: view.payment!.id, reason: '주문 취소', requestedBy: 'test' });
    expect(ended.status).toBe('FAILURE');
    const run = await runReconciliation(t.db, t.psp.client(), { fromDate: today, toDate: today }, 'test');
    const [item] = (await itemsOf(run.runId)).filter((i) => i.paymentId === ended.id);
    expect([item?.classification, item?.detail]).toEqual(['MATCHED', expect.stringMatching(/Not charged on either side/)]);
  });
});
