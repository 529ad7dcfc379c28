import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, createPspMerchant, paymentRow, testClock, useSandboxHarness,
} from './support';

const db = sandboxDb(testDatabase().sql);
const clock = testClock();
const h = useSandboxHarness(db, clock);

const testCode = (code: string) => ({ 'TossPayments-Test-Code': code });
const dummy = { paymentKey: 'tsbx_does_not_exist', orderId: 'order-0001', amount: 1000 };

describe('TossPayments-Test-Code header (test keys)', () => {
  it.each([
    ['REJECT_CARD_COMPANY', 403],
    ['REJECT_CARD_PAYMENT', 403],
    ['INVALID_CARD_EXPIRATION', 400],
    ['ALREADY_PROCESSED_PAYMENT', 400],
    ['PROVIDER_ERROR', 400],
    ['DUPLICATED_ORDER_ID', 400],
    ['INVALID_IDEMPOTENCY_KEY', 400],
    ['UNAUTHORIZED_KEY', 401],
    ['FORBIDDEN_REQUEST', 403],
    ['NOT_FOUND_PAYMENT', 404],
    ['NOT_FOUND_PAYMENT_SESSION', 404],
    ['IDEMPOTENT_REQUEST_PROCESSING', 409],
    ['FAILED_INTERNAL_SYSTEM_PROCESSING', 500],
    ['FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING', 500],
    ['UNKNOWN_PAYMENT_ERROR', 500],
    ['COMMON_ERROR', 500],
  ])('forces %s with HTTP %i, before the paymentKey is looked at', async (code, status) => {
    const res = await h.sandbox.confirm(h.merchant.secretKey, dummy, testCode(code));
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ code, message: expect.any(String), data: null });
    expect(res.json.message.length).toBeGreaterThan(0);
  });

  it('changes nothing: the payment stays IN_PROGRESS and confirms normally afterwards', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const before = await paymentRow(db, auth.paymentKey);
    const forced = await h.sandbox.confirm(h.merchant.secretKey, auth, testCode('REJECT_CARD_PAYMENT'));
    expect([forced.status, forced.json.code]).toEqual([403, 'REJECT_CARD_PAYMENT']);
    expect(await paymentRow(db, auth.paymentKey)).toEqual(before);

    const real = await h.sandbox.confirm(h.merchant.secretKey, auth);
    expect([real.status, real.json.status]).toEqual([200, 'DONE']);
  });

  it('stores nothing under an Idempotency-Key sent along: the same key later executes', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const key = randomUUID();
    const forced = await h.sandbox.confirm(h.merchant.secretKey, auth, { ...testCode('PROVIDER_ERROR'), 'Idempotency-Key': key });
    expect(forced.json.code).toBe('PROVIDER_ERROR');
    const real = await h.sandbox.confirm(h.merchant.secretKey, auth, { 'Idempotency-Key': key });
    expect([real.status, real.json.status]).toEqual([200, 'DONE']);
  });

  it('is evaluated before the body is validated', async () => {
    const res = await h.sandbox.call('POST', '/v1/payments/confirm', {
      secretKey: h.merchant.secretKey, rawBody: 'not json', headers: testCode('COMMON_ERROR'),
    });
    expect([res.status, res.json.code]).toEqual([500, 'COMMON_ERROR']);
  });

  it('applies to lookups too', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const res = await h.sandbox.call('GET', `/v1/payments/${auth.paymentKey}`, {
      secretKey: h.merchant.secretKey, headers: testCode('FORBIDDEN_CONSECUTIVE_REQUEST'),
    });
    expect([res.status, res.json.code]).toEqual([403, 'FORBIDDEN_CONSECUTIVE_REQUEST']);
  });

  it('answers 400 INVALID_REQUEST naming an unknown test code', async () => {
    const res = await h.sandbox.confirm(h.merchant.secretKey, dummy, testCode('NO_SUCH_CODE'));
    expect([res.status, res.json.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(res.json.message).toContain('NO_SUCH_CODE');
  });

  it('comes after authentication: a bad key is still 401', async () => {
    const res = await h.sandbox.confirm('test_sk_unknown', dummy, testCode('REJECT_CARD_COMPANY'));
    expect([res.status, res.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
  });

  it('is ignored for live keys', async () => {
    const live = await createPspMerchant(db, { live: true });
    const auth = await approveInWindow(db, live, clock);
    const res = await h.sandbox.confirm(live.secretKey, auth, testCode('REJECT_CARD_COMPANY'));
    expect([res.status, res.json.status]).toEqual([200, 'DONE']);
  });
});
