import { describe, expect, it } from 'vitest';
import { testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, createPspMerchant, paymentRow, testClock, useSandboxHarness,
} from './support';

const db = sandboxDb(testDatabase().sql);
const clock = testClock();
const h = useSandboxHarness(db, clock);

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Basic authentication', () => {
  it('answers 401 UNAUTHORIZED_KEY without an Authorization header, in Toss error shape', async () => {
    const res = await h.sandbox.call('GET', '/v1/payments/some-key');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ code: 'UNAUTHORIZED_KEY', message: expect.any(String), data: null });
  });

  it('answers 401 UNAUTHORIZED_KEY for a key no merchant has, on GET and POST', async () => {
    const get = await h.sandbox.call('GET', '/v1/payments/some-key', { secretKey: 'test_sk_nobody_has_this_key' });
    const post = await h.sandbox.confirm('test_sk_nobody_has_this_key', { paymentKey: 'x', orderId: 'order-1', amount: 1000 });
    expect([get.status, get.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
    expect([post.status, post.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
  });

  it('answers 401 for another scheme, an empty key, or the client key used as secret', async () => {
    for (const authorization of [`Bearer ${h.merchant.secretKey}`, `Basic ${b64(':')}`, `Basic ${b64(`${h.merchant.clientKey}:`)}`, 'Basic']) {
      const res = await h.sandbox.call('GET', '/v1/payments/some-key', { authorization });
      expect([authorization, res.status, res.json.code]).toEqual([authorization, 401, 'UNAUTHORIZED_KEY']);
    }
  });

  it("answers 403 INCORRECT_BASIC_AUTH_FORMAT when the key was encoded without the ':'", async () => {
    for (const authorization of [`Basic ${b64(h.merchant.secretKey)}`, `Basic ${b64(`${h.merchant.secretKey}:password`)}`]) {
      const res = await h.sandbox.call('GET', '/v1/payments/some-key', { authorization });
      expect(res.status).toBe(403);
      expect(res.json.code).toBe('INCORRECT_BASIC_AUTH_FORMAT');
    }
  });

  it('accepts the correctly encoded key (lowercase scheme too)', async () => {
    const res = await h.sandbox.call('GET', '/v1/payments/no-such-payment', { authorization: `basic ${b64(`${h.merchant.secretKey}:`)}` });
    expect([res.status, res.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT']);
  });
});

describe('merchant isolation', () => {
  it("makes another merchant's payments invisible: lookups 404 and confirm changes nothing", async () => {
    const other = await createPspMerchant(db);
    const auth = await approveInWindow(db, h.merchant, clock);

    const byKey = await h.sandbox.call('GET', `/v1/payments/${auth.paymentKey}`, { secretKey: other.secretKey });
    const byOrder = await h.sandbox.call('GET', `/v1/payments/orders/${auth.orderId}`, { secretKey: other.secretKey });
    const confirm = await h.sandbox.confirm(other.secretKey, auth);
    expect([byKey.status, byKey.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT']);
    expect([byOrder.status, byOrder.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT']);
    expect([confirm.status, confirm.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT_SESSION']);
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');

    const own = await h.sandbox.confirm(h.merchant.secretKey, auth);
    expect([own.status, own.json.status]).toEqual([200, 'DONE']);
  });
});

describe('routing', () => {
  it('answers 404 NOT_FOUND, naming the request, for APIs the sandbox does not serve', async () => {
    const res = await h.sandbox.call('POST', '/v1/billing/authorizations/issue', { secretKey: h.merchant.secretKey, body: { authKey: 'x' } });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('NOT_FOUND');
    expect(res.json.message).toContain('POST /v1/billing/authorizations/issue');
  });
});
