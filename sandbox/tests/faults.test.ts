import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { pspFaults } from '@/sandbox/db/schema';
import { clearFaults, injectFault, takeFault } from '@/sandbox/lib/faults';
import { testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, basicAuth, confirmedPayment, createPspMerchant, paymentRow, testClock, useSandboxHarness,
} from './support';

const db = sandboxDb(testDatabase().sql);
const clock = testClock();
const h = useSandboxHarness(db, clock);
afterEach(() => clearFaults(db, h.merchant.mId));

const faults = (method: 'POST' | 'GET' | 'DELETE', body?: unknown, secretKey: string = h.merchant.secretKey) =>
  h.sandbox.call(method, '/v1/sandbox/faults', { secretKey, body });
const lookup = (paymentKey: string) => h.sandbox.call('GET', `/v1/payments/${paymentKey}`, { secretKey: h.merchant.secretKey });
const withKey = (k: string) => ({ 'Idempotency-Key': k });

/** What a fetch that hit a dropped connection rejects with. */
const NETWORK_ERROR = 'fetch failed';

describe('control API: /v1/sandbox/faults', () => {
  it('queues a fault and shows it with its defaults: count 1; delayMs 2000 for slow only', async () => {
    const lose = await faults('POST', { operation: 'confirm', mode: 'lose-response' });
    expect(lose.status).toBe(200);
    expect(lose.json).toEqual({
      id: expect.any(Number), operation: 'confirm', mode: 'lose-response', count: 1, remaining: 1, delayMs: null, paymentKey: null,
      createdAt: expect.stringMatching(/\+09:00$/),
    });
    const slow = await faults('POST', { operation: 'lookup', mode: 'slow', count: 3 });
    expect(slow.json).toMatchObject({ operation: 'lookup', mode: 'slow', count: 3, remaining: 3, delayMs: 2_000 });

    const listed = await faults('GET');
    expect(listed.status).toBe(200);
    expect(listed.json.map((f: { id: number }) => f.id)).toEqual([lose.json.id, slow.json.id]);
  });

  it('clears every fault with DELETE, after which calls behave normally', async () => {
    await faults('POST', { operation: 'confirm', mode: 'server-error', count: 5 });
    await faults('POST', { operation: 'lookup', mode: 'server-error' });
    const cleared = await faults('DELETE');
    expect([cleared.status, cleared.json]).toEqual([200, { cleared: 2 }]);
    expect((await faults('GET')).json).toEqual([]);
    const auth = await approveInWindow(db, h.merchant, clock);
    expect((await h.sandbox.confirm(h.merchant.secretKey, auth)).status).toBe(200);
  });

  it('needs the operator token: a merchant key alone gets 401 without it and 403 with a wrong one, and nothing is queued', async () => {
    const none = await h.sandbox.call('POST', '/v1/sandbox/faults', { secretKey: h.merchant.secretKey, operatorToken: null, body: { operation: 'confirm', mode: 'server-error' } });
    expect([none.status, none.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
    expect(none.json.message).toContain('sandbox-operator-token');
    for (const method of ['POST', 'GET', 'DELETE'] as const) {
      const wrong = await h.sandbox.call(method, '/v1/sandbox/faults', { secretKey: h.merchant.secretKey, operatorToken: 'not-the-token', body: method === 'POST' ? { operation: 'confirm', mode: 'server-error' } : undefined });
      expect([method, wrong.status, wrong.json.code]).toEqual([method, 403, 'FORBIDDEN_REQUEST']);
    }
    const hook = await h.sandbox.call('PUT', '/v1/sandbox/webhook', { secretKey: h.merchant.secretKey, operatorToken: null, body: { url: null } });
    expect(hook.status).toBe(401);
    expect((await faults('GET')).json).toEqual([]);
  });

  it('requires Basic auth with a known key', async () => {
    const res = await h.sandbox.call('POST', '/v1/sandbox/faults', { body: { operation: 'confirm', mode: 'server-error' } });
    expect([res.status, res.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
    const wrong = await h.sandbox.call('DELETE', '/v1/sandbox/faults', { authorization: basicAuth('test_sk_nobody') });
    expect([wrong.status, wrong.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
  });

  it('refuses live keys with 403 FORBIDDEN_REQUEST', async () => {
    const live = await createPspMerchant(db, { live: true });
    for (const method of ['POST', 'GET', 'DELETE'] as const) {
      const res = await faults(method, method === 'POST' ? { operation: 'confirm', mode: 'server-error' } : undefined, live.secretKey);
      expect([method, res.status, res.json.code]).toEqual([method, 403, 'FORBIDDEN_REQUEST']);
      expect(res.json.message).toContain('test keys');
    }
    await expect(injectFault(db, live.mId, { operation: 'confirm', mode: 'server-error' })).rejects.toMatchObject({ code: 'FORBIDDEN_REQUEST' });
    expect(await db.select().from(pspFaults).where(eq(pspFaults.mId, live.mId))).toEqual([]);
  });

  it.each([
    ['an unknown operation', { operation: 'refund', mode: 'server-error' }, 'operation must be confirm, cancel or lookup'],
    ['an unknown mode', { operation: 'confirm', mode: 'explode' }, 'mode must be'],
    ['no mode', { operation: 'confirm' }, 'mode'],
    ['count 0', { operation: 'confirm', mode: 'server-error', count: 0 }, 'count must be at least 1'],
    ['a fractional count', { operation: 'confirm', mode: 'server-error', count: 1.5 }, 'count must be a whole number'],
    ['delayMs above 60000', { operation: 'confirm', mode: 'slow', delayMs: 60_001 }, 'delayMs must be at most 60000'],
    ['a negative delayMs', { operation: 'confirm', mode: 'slow', delayMs: -1 }, 'delayMs must not be negative'],
    ['delayMs for another mode', { operation: 'confirm', mode: 'server-error', delayMs: 100 }, 'delayMs is only for mode slow'],
    ['a JSON array', [], 'JSON object'],
  ])('answers 400 INVALID_REQUEST for %s and queues nothing', async (_what, body, mentions) => {
    const res = await faults('POST', body);
    expect([res.status, res.json.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(res.json.message).toContain(mentions);
    expect((await faults('GET')).json).toEqual([]);
  });

  it('answers 400 INVALID_REQUEST for a body that is not JSON', async () => {
    const res = await h.sandbox.call('POST', '/v1/sandbox/faults', { secretKey: h.merchant.secretKey, rawBody: 'mode=slow' });
    expect([res.status, res.json.code]).toEqual([400, 'INVALID_REQUEST']);
  });
});

describe('lose-response', () => {
  it('confirms for real, then drops the connection; a retry with the same Idempotency-Key gets the stored answer', async () => {
    await faults('POST', { operation: 'confirm', mode: 'lose-response' });
    const auth = await approveInWindow(db, h.merchant, clock);
    const k = randomUUID();
    await expect(h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k))).rejects.toThrow(NETWORK_ERROR);

    const row = await paymentRow(db, auth.paymentKey);
    expect(row.status).toBe('DONE');
    const retry = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    expect([retry.status, retry.json.status, retry.json.lastTransactionKey]).toEqual([200, 'DONE', row.lastTransactionKey]);
    const withoutKey = await h.sandbox.confirm(h.merchant.secretKey, auth);
    expect([withoutKey.status, withoutKey.json.code]).toEqual([400, 'ALREADY_PROCESSED_PAYMENT']);
  });

  it('cancels for real, then drops the connection', async () => {
    const p = await confirmedPayment(db, h.sandbox, h.merchant, clock, { amount: 10_000 });
    await faults('POST', { operation: 'cancel', mode: 'lose-response' });
    const k = randomUUID();
    await expect(h.sandbox.cancel(h.merchant.secretKey, p.paymentKey, { cancelReason: 'x', cancelAmount: 2_500 }, withKey(k))).rejects.toThrow(NETWORK_ERROR);
    const row = await paymentRow(db, p.paymentKey);
    expect([row.status, row.balanceAmount, row.cancels.length]).toEqual(['PARTIAL_CANCELED', 7_500, 1]);
    const retry = await h.sandbox.cancel(h.merchant.secretKey, p.paymentKey, { cancelReason: 'x', cancelAmount: 2_500 }, withKey(k));
    expect([retry.status, retry.json.balanceAmount, retry.json.cancels.length]).toEqual([200, 7_500, 1]);
  });

  it('drops lookups too, and affects only `count` calls', async () => {
    const p = await confirmedPayment(db, h.sandbox, h.merchant, clock);
    await faults('POST', { operation: 'lookup', mode: 'lose-response', count: 2 });
    await expect(lookup(p.paymentKey)).rejects.toThrow(NETWORK_ERROR);
    await expect(h.sandbox.call('GET', `/v1/payments/orders/${p.orderId}`, { secretKey: h.merchant.secretKey })).rejects.toThrow(NETWORK_ERROR);
    expect((await lookup(p.paymentKey)).json.status).toBe('DONE');
  });
});

describe('server-error', () => {
  it('answers 500 FAILED_INTERNAL_SYSTEM_PROCESSING without confirming or storing the Idempotency-Key', async () => {
    await faults('POST', { operation: 'confirm', mode: 'server-error' });
    const auth = await approveInWindow(db, h.merchant, clock);
    const k = randomUUID();
    const failed = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ code: 'FAILED_INTERNAL_SYSTEM_PROCESSING', message: expect.any(String), data: null });
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');
    const retry = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    expect([retry.status, retry.json.status]).toEqual([200, 'DONE']);
  });

  it('fails the next `count` cancels, then lets them through', async () => {
    const p = await confirmedPayment(db, h.sandbox, h.merchant, clock);
    await faults('POST', { operation: 'cancel', mode: 'server-error', count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await h.sandbox.cancel(h.merchant.secretKey, p.paymentKey, { cancelReason: 'x' })).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect((await paymentRow(db, p.paymentKey)).cancels).toHaveLength(1);
  });
});

describe('slow', () => {
  it('waits delayMs, then answers normally', async () => {
    const p = await confirmedPayment(db, h.sandbox, h.merchant, clock);
    await faults('POST', { operation: 'lookup', mode: 'slow', delayMs: 400 });
    const started = performance.now();
    const res = await lookup(p.paymentKey);
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
    expect([res.status, res.json.status]).toEqual([200, 'DONE']);
    const fast = performance.now();
    await lookup(p.paymentKey);
    expect(performance.now() - fast).toBeLessThan(380);
  });

  it('still confirms after a client gave up waiting (a timeout whose outcome is DONE)', async () => {
    await faults('POST', { operation: 'confirm', mode: 'slow', delayMs: 300 });
    const auth = await approveInWindow(db, h.merchant, clock);
    const res = await fetch(`${h.sandbox.url}/v1/payments/confirm`, {
      method: 'POST',
      headers: { authorization: basicAuth(h.merchant.secretKey), 'content-type': 'application/json' },
      body: JSON.stringify(auth),
      signal: AbortSignal.timeout(50),
    }).then(() => 'answered', (e: Error) => e.name);
    expect(res).toBe('TimeoutError');
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');
    for (let i = 0; i < 100 && (await paymentRow(db, auth.paymentKey)).status !== 'DONE'; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('DONE');
  });
});

describe('which calls a fault affects', () => {
  it('with a paymentKey: only confirms and cancels of that payment, whatever comes first', async () => {
    const other = await approveInWindow(db, h.merchant, clock);
    const target = await approveInWindow(db, h.merchant, clock);
    const armed = await faults('POST', { operation: 'confirm', mode: 'server-error', paymentKey: target.paymentKey });
    expect(armed.json.paymentKey).toBe(target.paymentKey);
    // Another payment's confirm comes first and passes; the named one takes the fault, once.
    expect((await h.sandbox.confirm(h.merchant.secretKey, other)).status).toBe(200);
    expect((await h.sandbox.confirm(h.merchant.secretKey, target)).status).toBe(500);
    expect((await h.sandbox.confirm(h.merchant.secretKey, target)).status).toBe(200);

    await faults('POST', { operation: 'cancel', mode: 'server-error', paymentKey: target.paymentKey });
    expect((await h.sandbox.cancel(h.merchant.secretKey, other.paymentKey, { cancelReason: 'x', cancelAmount: 100 })).status).toBe(200);
    expect((await h.sandbox.cancel(h.merchant.secretKey, target.paymentKey, { cancelReason: 'x', cancelAmount: 100 })).status).toBe(500);
    expect((await h.sandbox.cancel(h.merchant.secretKey, target.paymentKey, { cancelReason: 'x', cancelAmount: 100 })).status).toBe(200);
  });

  it('only the named operation of the merchant that injected it', async () => {
    const other = await createPspMerchant(db);
    await faults('POST', { operation: 'confirm', mode: 'server-error', count: 10 });
    const theirs = await approveInWindow(db, other, clock);
    expect((await h.sandbox.confirm(other.secretKey, theirs)).status).toBe(200);
    const mine = await approveInWindow(db, h.merchant, clock);
    expect((await lookup(mine.paymentKey)).status).toBe(200);
    expect((await h.sandbox.confirm(h.merchant.secretKey, mine)).status).toBe(500);
  });

  it('uses queued faults oldest first', async () => {
    await faults('POST', { operation: 'lookup', mode: 'server-error' });
    await faults('POST', { operation: 'lookup', mode: 'lose-response' });
    const p = await approveInWindow(db, h.merchant, clock);
    expect((await lookup(p.paymentKey)).status).toBe(500);
    await expect(lookup(p.paymentKey)).rejects.toThrow(NETWORK_ERROR);
    expect((await lookup(p.paymentKey)).status).toBe(200);
  });

  it('is not used up by a TossPayments-Test-Code call, which answers first', async () => {
    await faults('POST', { operation: 'lookup', mode: 'server-error' });
    const p = await approveInWindow(db, h.merchant, clock);
    const forced = await h.sandbox.call('GET', `/v1/payments/${p.paymentKey}`, {
      secretKey: h.merchant.secretKey, headers: { 'TossPayments-Test-Code': 'NOT_FOUND_PAYMENT' },
    });
    expect([forced.status, forced.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT']);
    expect((await lookup(p.paymentKey)).status).toBe(500);
  });

  it('affects exactly `count` of many concurrent calls', async () => {
    const p = await approveInWindow(db, h.merchant, clock);
    await faults('POST', { operation: 'lookup', mode: 'server-error', count: 3 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => lookup(p.paymentKey)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 500, 500, 500]);
  });
});

describe('injectFault / takeFault / clearFaults (in process)', () => {
  it('hands out each call of a fault exactly once under concurrency, across several faults', async () => {
    await injectFault(db, h.merchant.mId, { operation: 'cancel', mode: 'server-error', count: 4 });
    await injectFault(db, h.merchant.mId, { operation: 'cancel', mode: 'lose-response', count: 2 });
    const taken = await Promise.all(Array.from({ length: 15 }, () => takeFault(db, h.merchant.mId, 'cancel')));
    const modes = taken.filter((t) => t !== null).map((t) => t.mode).sort();
    expect(modes).toEqual(['lose-response', 'lose-response', 'server-error', 'server-error', 'server-error', 'server-error']);
    const left = await db.select().from(pspFaults).where(and(eq(pspFaults.mId, h.merchant.mId), eq(pspFaults.operation, 'cancel')));
    expect(left.map((f) => f.remaining)).toEqual([0, 0]);
  });

  it('validates the fault and clears them all', async () => {
    await expect(injectFault(db, h.merchant.mId, { operation: 'confirm', mode: 'slow', delayMs: 120_000 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await injectFault(db, h.merchant.mId, { operation: 'confirm', mode: 'slow', delayMs: 10 });
    await injectFault(db, h.merchant.mId, { operation: 'lookup', mode: 'server-error', count: 2 });
    expect(await clearFaults(db, h.merchant.mId)).toBe(2);
    expect(await takeFault(db, h.merchant.mId, 'lookup')).toBeNull();
  });
});
