import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sandboxDb } from '@/sandbox/db/client';
import { pspTransactions, pspWebhookDeliveries } from '@/sandbox/db/schema';
import { testDatabase } from '@/tests/helpers/db';
import {
  approveInWindow, confirmedPayment, createPspMerchant, paymentRow, startSandbox, testClock, useSandboxHarness,
} from './support';

const db = sandboxDb(testDatabase().sql);
const clock = testClock();
const h = useSandboxHarness(db, clock);

const HOUR = 3_600_000;
const lookup = (paymentKey: string, secretKey = h.merchant.secretKey) => h.sandbox.call('GET', `/v1/payments/${paymentKey}`, { secretKey });
const operate = (paymentKey: string, action: string, opts: { operatorToken?: string | null; body?: unknown; secretKey?: string } = {}) =>
  h.sandbox.call('POST', `/v1/sandbox/payments/${paymentKey}/${action}`, { secretKey: opts.secretKey ?? h.merchant.secretKey, operatorToken: opts.operatorToken, body: opts.body });
const callbacksOf = async (paymentKey: string) => (await db.select().from(pspWebhookDeliveries)
  .where(and(eq(pspWebhookDeliveries.paymentKey, paymentKey), eq(pspWebhookDeliveries.eventType, 'DEPOSIT_CALLBACK')))
  .orderBy(pspWebhookDeliveries.createdAt)).map((r) => JSON.parse(r.body));

describe('payment methods in the window', () => {
  it.each([
    ['CARD', '카드', { card: true, easyPay: null }],
    ['TOSSPAY', '간편결제', { card: true, easyPay: '토스페이' }],
    ['KAKAOPAY', '간편결제', { card: true, easyPay: '카카오페이' }],
    ['NAVERPAY', '간편결제', { card: true, easyPay: '네이버페이' }],
    ['TRANSFER', '계좌이체', { card: false, easyPay: null, transfer: true }],
    ['MOBILE_PHONE', '휴대폰', { card: false, easyPay: null, mobilePhone: true }],
  ] as const)('%s is confirmed DONE with Toss method %s and its method block', async (payWith, method, blocks) => {
    const p = await confirmedPayment(db, h.sandbox, h.merchant, clock, { payWith });
    const body = p.approval.json;
    expect(body).toMatchObject({ status: 'DONE', method, virtualAccount: null, secret: null });
    expect(body.card !== null).toBe(blocks.card);
    expect(body.easyPay?.provider ?? null).toBe(blocks.easyPay);
    expect(body.transfer !== null).toBe('transfer' in blocks);
    expect(body.mobilePhone !== null).toBe('mobilePhone' in blocks);
  });

  it('the window page preselects the method the checkout asked for and lists every choice', async () => {
    const q = new URLSearchParams({
      clientKey: h.merchant.clientKey, orderId: 'ord_window_va_1', orderName: '생수', amount: '5000',
      successUrl: 'http://shop.test/s', failUrl: 'http://shop.test/f', method: 'VIRTUAL_ACCOUNT',
    });
    const page = await (await fetch(`${h.sandbox.url}/window?${q}`)).text();
    for (const k of ['CARD', 'TOSSPAY', 'KAKAOPAY', 'NAVERPAY', 'TRANSFER', 'MOBILE_PHONE', 'VIRTUAL_ACCOUNT']) expect(page).toContain(`data-testid="psp-pay-with-${k}"`);
    expect(page).toMatch(/value="VIRTUAL_ACCOUNT" data-testid="psp-pay-with-VIRTUAL_ACCOUNT" checked/);
    expect(page).not.toMatch(/value="CARD" data-testid="psp-pay-with-CARD" checked/);
  });

  it('an unknown payWith is refused with 400 and creates nothing', async () => {
    const res = await fetch(`${h.sandbox.url}/window/authorize`, {
      method: 'POST',
      body: new URLSearchParams({
        clientKey: h.merchant.clientKey, orderId: 'ord_window_bad_pay', orderName: '생수', amount: '5000',
        successUrl: 'http://shop.test/s', failUrl: 'http://shop.test/f', action: 'approve', payWith: 'BITCOIN',
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('payWith must be one of');
  });
});

describe('virtual accounts', () => {
  it('confirm answers WAITING_FOR_DEPOSIT with the account, due date and secret; no settlement row yet', async () => {
    const at = clock.now();
    const p = await confirmedPayment(db, h.sandbox, h.merchant, clock, { payWith: 'VIRTUAL_ACCOUNT', validHours: 24, amount: 33_000 });
    const body = p.approval.json;
    expect(body).toMatchObject({ status: 'WAITING_FOR_DEPOSIT', method: '가상계좌', card: null, approvedAt: null });
    expect(body.secret).toMatch(/^ps_[A-Za-z0-9]{28}$/);
    expect(body.virtualAccount).toMatchObject({ bankCode: '20', refundStatus: 'NONE', expired: false, settlementStatus: 'INCOMPLETED' });
    expect(body.virtualAccount.accountNumber).toMatch(/^X\d{13}$/);
    expect(new Date(body.virtualAccount.dueDate).getTime()).toBe(Math.floor((at.getTime() + 24 * HOUR) / 1000) * 1000);
    expect(await db.select().from(pspTransactions).where(eq(pspTransactions.paymentKey, p.paymentKey))).toHaveLength(0);
    // A second confirm of a waiting account is already processed.
    expect((await h.sandbox.confirm(h.merchant.secretKey, { paymentKey: p.paymentKey, orderId: p.orderId, amount: p.amount })).json.code).toBe('ALREADY_PROCESSED_PAYMENT');
  });

  it('the operator deposit moves it to DONE, records the approval and queues a DEPOSIT_CALLBACK with the secret', async () => {
    const merchant = await createPspMerchant(db, { webhookUrl: 'https://shop.test/api/webhooks/psp' });
    const sandbox = await startSandbox(db, clock);
    try {
      const auth = await approveInWindow(db, merchant, clock, { payWith: 'VIRTUAL_ACCOUNT' });
      const confirmed = (await sandbox.confirm(merchant.secretKey, auth)).json;
      const deposit = (action: string, operatorToken?: string | null) => sandbox.call('POST', `/v1/sandbox/payments/${auth.paymentKey}/${action}`, { secretKey: merchant.secretKey, operatorToken });

      expect((await deposit('deposit', null)).status).toBe(401);
      expect((await deposit('deposit', 'wrong-operator-token-000')).status).toBe(403);
      expect((await paymentRow(db, auth.paymentKey)).status).toBe('WAITING_FOR_DEPOSIT');

      const paid = await deposit('deposit');
      expect(paid.status).toBe(200);
      expect(paid.json).toMatchObject({ status: 'DONE', virtualAccount: { settlementStatus: 'COMPLETED', expired: false } });
      const callbacks = await callbacksOf(auth.paymentKey);
      expect(callbacks.map((c) => c.status)).toEqual(['WAITING_FOR_DEPOSIT', 'DONE']);
      expect(callbacks[1]).toEqual({
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/),
        secret: confirmed.secret,
        status: 'DONE',
        transactionKey: paid.json.lastTransactionKey,
        orderId: auth.orderId,
      });
      const txs = await db.select().from(pspTransactions).where(eq(pspTransactions.paymentKey, auth.paymentKey));
      expect(txs.map((t) => [t.kind, t.amount])).toEqual([['APPROVAL', 15_000]]);
      // A second deposit finds nothing to pay.
      expect((await deposit('deposit')).status).toBe(400);

      // The bank takes it back: WAITING_FOR_DEPOSIT again, a cancel row, a callback.
      const reversed = await deposit('reverse-deposit');
      expect(reversed.json).toMatchObject({ status: 'WAITING_FOR_DEPOSIT', approvedAt: null });
      expect((await callbacksOf(auth.paymentKey)).map((c) => c.status)).toEqual(['WAITING_FOR_DEPOSIT', 'DONE', 'WAITING_FOR_DEPOSIT']);
      const after = await db.select().from(pspTransactions).where(eq(pspTransactions.paymentKey, auth.paymentKey)).orderBy(pspTransactions.seq);
      expect(after.map((t) => t.kind)).toEqual(['APPROVAL', 'CANCEL']);
    } finally {
      await sandbox.close();
    }
  });

  it('passing the due date sets expired on lookups, keeps WAITING_FOR_DEPOSIT and sends no webhook', async () => {
    const merchant = await createPspMerchant(db, { webhookUrl: 'https://shop.test/api/webhooks/psp' });
    const auth = await approveInWindow(db, merchant, clock, { payWith: 'VIRTUAL_ACCOUNT' });
    const sandbox = await startSandbox(db, clock);
    try {
      await sandbox.confirm(merchant.secretKey, auth);
      const before = await db.select().from(pspWebhookDeliveries).where(eq(pspWebhookDeliveries.paymentKey, auth.paymentKey));
      const passed = await sandbox.call('POST', `/v1/sandbox/payments/${auth.paymentKey}/pass-due-date`, { secretKey: merchant.secretKey });
      expect(passed.json).toMatchObject({ status: 'WAITING_FOR_DEPOSIT', virtualAccount: { expired: true } });
      const again = await sandbox.call('GET', `/v1/payments/${auth.paymentKey}`, { secretKey: merchant.secretKey });
      expect(again.json).toMatchObject({ status: 'WAITING_FOR_DEPOSIT', virtualAccount: { expired: true } });
      expect(await db.select().from(pspWebhookDeliveries).where(eq(pspWebhookDeliveries.paymentKey, auth.paymentKey))).toHaveLength(before.length);
    } finally {
      await sandbox.close();
    }
  });

  it('the operator routes refuse a card payment and an unknown payment', async () => {
    const card = await confirmedPayment(db, h.sandbox, h.merchant, clock);
    expect((await operate(card.paymentKey, 'deposit')).json.code).toBe('INVALID_REQUEST');
    expect((await operate('tsbx_no_such_payment', 'deposit')).json.code).toBe('NOT_FOUND_PAYMENT');
    expect((await h.sandbox.call('GET', `/v1/sandbox/payments/${card.paymentKey}/deposit`, { secretKey: h.merchant.secretKey })).status).toBe(404);
  });

  it('cancel before the deposit: whole only, no refund account needed', async () => {
    const p = await confirmedPayment(db, h.sandbox, h.merchant, clock, { payWith: 'VIRTUAL_ACCOUNT', amount: 20_000 });
    const part = await h.sandbox.cancel(h.merchant.secretKey, p.paymentKey, { cancelReason: '변심', cancelAmount: 5_000 });
    expect([part.status, part.json.code]).toEqual([403, 'NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT']);
    const whole = await h.sandbox.cancel(h.merchant.secretKey, p.paymentKey, { cancelReason: '변심' });
    expect(whole.json).toMatchObject({ status: 'CANCELED', balanceAmount: 0, virtualAccount: { refundStatus: 'NONE' } });
    expect(await db.select().from(pspTransactions).where(eq(pspTransactions.paymentKey, p.paymentKey))).toHaveLength(0);
  });

  it('a refund after the deposit needs a valid refundReceiveAccount', async () => {
    const p = await confirmedPayment(db, h.sandbox, h.merchant, clock, { payWith: 'VIRTUAL_ACCOUNT', amount: 20_000 });
    expect((await operate(p.paymentKey, 'deposit')).status).toBe(200);
    const none = await h.sandbox.cancel(h.merchant.secretKey, p.paymentKey, { cancelReason: '변심' });
    expect([none.status, none.json.code]).toEqual([400, 'INVALID_REFUND_ACCOUNT_INFO']);
    const bad = await h.sandbox.cancel(h.merchant.secretKey, p.paymentKey, { cancelReason: '변심', refundReceiveAccount: { bank: '20', accountNumber: '12-34', holderName: '홍길동' } });
    expect([bad.status, bad.json.code]).toEqual([400, 'INVALID_REFUND_ACCOUNT_NUMBER']);
    expect((await lookup(p.paymentKey)).json.status).toBe('DONE');
    const ok = await h.sandbox.cancel(h.merchant.secretKey, p.paymentKey, { cancelReason: '변심', cancelAmount: 5_000, refundReceiveAccount: { bank: '20', accountNumber: '1002123456789', holderName: '홍길동' } });
    expect(ok.json).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 15_000 });
  });
});
