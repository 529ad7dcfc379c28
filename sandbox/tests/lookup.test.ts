import { describe, expect, it } from 'vitest';
import { testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, newOrderId, testClock, useSandboxHarness,
} from './support';

const db = sandboxDb(testDatabase().sql);
const clock = testClock();
const h = useSandboxHarness(db, clock);

const get = (path: string) => h.sandbox.call('GET', path, { secretKey: h.merchant.secretKey });

describe('GET /v1/payments/{paymentKey}', () => {
  it('shows an authenticated payment IN_PROGRESS, then the same Payment object confirm returned', async () => {
    const auth = await approveInWindow(db, h.merchant, clock, { amount: 12_000 });
    const pending = await get(`/v1/payments/${auth.paymentKey}`);
    expect(pending.status).toBe(200);
    expect(pending.json).toMatchObject({
      paymentKey: auth.paymentKey, orderId: auth.orderId, status: 'IN_PROGRESS', totalAmount: 12_000,
      approvedAt: null, lastTransactionKey: null, card: null, failure: null, version: '2022-11-16',
    });

    const confirmed = await h.sandbox.confirm(h.merchant.secretKey, auth);
    const done = await get(`/v1/payments/${auth.paymentKey}`);
    expect(done.status).toBe(200);
    expect(done.json).toEqual(confirmed.json);
  });

  it('decodes a percent-encoded paymentKey', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const res = await get(`/v1/payments/${encodeURIComponent(auth.paymentKey).replace('t', '%74')}`);
    expect([res.status, res.json.paymentKey]).toEqual([200, auth.paymentKey]);
  });

  it('answers 404 NOT_FOUND_PAYMENT for an unknown paymentKey', async () => {
    const res = await get('/v1/payments/tsbx20260101000000nope0');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ code: 'NOT_FOUND_PAYMENT', message: expect.any(String), data: null });
  });

  it('shows an authenticated payment not confirmed within 10 minutes as EXPIRED', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    clock.advance(11 * 60_000);
    const res = await get(`/v1/payments/${auth.paymentKey}`);
    expect(res.json).toMatchObject({ status: 'EXPIRED', failure: { code: 'EXPIRED_PAYMENT' } });
  });
});

describe('GET /v1/payments/orders/{orderId}', () => {
  it("returns the order's latest attempt", async () => {
    const orderId = newOrderId();
    await approveInWindow(db, h.merchant, clock, { orderId });
    clock.advance(60_000);
    const latest = await approveInWindow(db, h.merchant, clock, { orderId });
    const res = await get(`/v1/payments/orders/${orderId}`);
    expect([res.status, res.json.paymentKey, res.json.status]).toEqual([200, latest.paymentKey, 'IN_PROGRESS']);
  });

  it('prefers the paid attempt over a newer one that was never confirmed', async () => {
    const orderId = newOrderId();
    const paid = await approveInWindow(db, h.merchant, clock, { orderId });
    clock.advance(60_000);
    const newer = await approveInWindow(db, h.merchant, clock, { orderId });
    expect((await h.sandbox.confirm(h.merchant.secretKey, paid)).status).toBe(200);
    const res = await get(`/v1/payments/orders/${orderId}`);
    expect([res.json.paymentKey, res.json.status]).toEqual([paid.paymentKey, 'DONE']);
    expect(res.json.paymentKey).not.toBe(newer.paymentKey);
  });

  it('answers 404 NOT_FOUND_PAYMENT for an order without payments', async () => {
    const res = await get(`/v1/payments/orders/${newOrderId()}`);
    expect([res.status, res.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT']);
  });
});
