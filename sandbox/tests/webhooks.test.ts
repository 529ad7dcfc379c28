import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Db, sandboxDb } from '@/sandbox/db/client';
import { pspTransactions, pspWebhookDeliveries } from '@/sandbox/db/schema';
import { cancelPayment } from '@/sandbox/lib/cancel-payment';
import { kstLocalMicros, toKstIso } from '@/sandbox/lib/clock';
import { WEBHOOK_RETRY_MINUTES, deliverDueWebhooks } from '@/sandbox/lib/deliver-due-webhooks';
import { ensurePspMerchant, type PspMerchant } from '@/sandbox/lib/merchants';
import { createIsolatedDatabase } from '@/tests/helpers/db';
import {
  approveInWindow, confirmedPayment, createPspMerchant, paymentRow, startSandbox, startWebhookReceiver, testClock,
  type RunningSandbox, type WebhookReceiver,
} from './support';

// Delivery drains every due webhook in the database: this file gets a database of its own, so it
// neither sends other files' webhooks nor has its own sent by them.
let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let db: Db;
const clock = testClock();
let sandbox: RunningSandbox;
let receiver: WebhookReceiver;
let merchant: PspMerchant;

beforeAll(async () => {
  database = await createIsolatedDatabase();
  db = sandboxDb(database.sql);
  receiver = await startWebhookReceiver();
  merchant = await createPspMerchant(db, { webhookUrl: receiver.url });
  sandbox = await startSandbox(db, clock);
});
afterEach(async () => {
  await db.delete(pspWebhookDeliveries);
  receiver.received.length = 0;
  receiver.answer(() => 200);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
  await database.close();
});

const MINUTE = 60_000;
const deliver = (opts: { timeScale?: number; timeoutMs?: number; leaseMs?: number } = {}) => deliverDueWebhooks(db, { now: clock.now(), ...opts });
const rowsOf = (paymentKey: string) => db.select().from(pspWebhookDeliveries)
  .where(eq(pspWebhookDeliveries.paymentKey, paymentKey)).orderBy(pspWebhookDeliveries.createdAt);
const statusesSent = (paymentKey: string) => receiver.received
  .filter((h) => h.json?.data?.paymentKey === paymentKey).map((h) => h.json.data.status);

describe('PAYMENT_STATUS_CHANGED events', () => {
  it('are queued when a payment becomes DONE and POSTed with the Payment object and Toss headers', async () => {
    const at = clock.now();
    const p = await confirmedPayment(db, sandbox, merchant, clock, { amount: 25_000 });
    const [row] = await rowsOf(p.paymentKey);
    expect(row).toMatchObject({ status: 'PENDING', eventType: 'PAYMENT_STATUS_CHANGED', url: receiver.url, retriedCount: 0 });
    expect(row!.nextAttemptAt.getTime()).toBe(at.getTime());

    clock.advance(1_500);
    const round = await deliver();
    expect(round).toEqual({ attempted: 1, delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const hook = receiver.received[0]!;
    expect(hook.json).toEqual({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: kstLocalMicros(at), data: p.approval.json });
    expect(hook.json.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(hook.headers.get('content-type')).toBe('application/json');
    expect(hook.headers.get('tosspayments-webhook-transmission-id')).toMatch(/^whtrans_[a-z0-9]{27}$/);
    expect(hook.headers.get('tosspayments-webhook-transmission-id')).toBe(row!.transmissionId);
    expect(hook.headers.get('tosspayments-webhook-transmission-time')).toBe(toKstIso(clock.now()));
    expect(hook.headers.get('tosspayments-webhook-transmission-time')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    expect(hook.headers.get('tosspayments-webhook-transmission-retried-count')).toBe('0');

    const [delivered] = await rowsOf(p.paymentKey);
    expect(delivered).toMatchObject({ status: 'DELIVERED', lastResult: 'HTTP 200' });
    expect(delivered!.deliveredAt?.getTime()).toBe(clock.now().getTime());
    expect(await deliver()).toEqual({ attempted: 0, delivered: 0, retrying: 0, failed: 0 });
  });

  it('are queued for PARTIAL_CANCELED and CANCELED, each showing the payment as of its change', async () => {
    const p = await confirmedPayment(db, sandbox, merchant, clock, { amount: 10_000 });
    const partial = await sandbox.cancel(merchant.secretKey, p.paymentKey, { cancelReason: 'a', cancelAmount: 4_000 });
    const full = await sandbox.cancel(merchant.secretKey, p.paymentKey, { cancelReason: 'b' });
    await deliver();
    expect(statusesSent(p.paymentKey).sort()).toEqual(['CANCELED', 'DONE', 'PARTIAL_CANCELED']);
    const byStatus = (s: string) => receiver.received.find((h) => h.json.data.status === s)!.json.data;
    expect(byStatus('PARTIAL_CANCELED')).toEqual(partial.json);
    expect(byStatus('CANCELED')).toEqual(full.json);
    expect(new Set(receiver.received.map((h) => h.headers.get('tosspayments-webhook-transmission-id'))).size).toBe(3);
  });

  it('are queued once when a payment EXPIRES, however it is noticed (lookup, late confirm, late cancel)', async () => {
    const looked = await approveInWindow(db, merchant, clock);
    const confirmed = await approveInWindow(db, merchant, clock);
    const canceled = await approveInWindow(db, merchant, clock);
    clock.advance(11 * MINUTE);
    await sandbox.call('GET', `/v1/payments/${looked.paymentKey}`, { secretKey: merchant.secretKey });
    await sandbox.call('GET', `/v1/payments/${looked.paymentKey}`, { secretKey: merchant.secretKey });
    expect((await sandbox.confirm(merchant.secretKey, confirmed)).json.code).toBe('NOT_FOUND_PAYMENT_SESSION');
    expect((await sandbox.cancel(merchant.secretKey, canceled.paymentKey, { cancelReason: 'x' })).json.code).toBe('NOT_CANCELABLE_PAYMENT');
    await deliver();
    for (const p of [looked, confirmed, canceled]) {
      expect(statusesSent(p.paymentKey)).toEqual(['EXPIRED']);
      expect(receiver.received.find((h) => h.json.data.paymentKey === p.paymentKey)!.json.data.failure.code).toBe('EXPIRED_PAYMENT');
    }
  });

  it('are not queued for IN_PROGRESS, for refused calls, or for merchants without a webhook URL', async () => {
    const auth = await approveInWindow(db, merchant, clock);
    expect(await rowsOf(auth.paymentKey)).toEqual([]);
    await sandbox.confirm(merchant.secretKey, auth);
    await sandbox.confirm(merchant.secretKey, auth); // ALREADY_PROCESSED_PAYMENT
    await sandbox.cancel(merchant.secretKey, auth.paymentKey, { cancelReason: 'x', cancelAmount: 10_000_000 }); // NOT_CANCELABLE_AMOUNT
    expect(await rowsOf(auth.paymentKey)).toHaveLength(1);

    const silent = await createPspMerchant(db);
    const p = await confirmedPayment(db, sandbox, silent, clock);
    await cancelPayment(db, { mId: silent.mId, paymentKey: p.paymentKey, cancelReason: 'x' }, clock.now);
    expect(await rowsOf(p.paymentKey)).toEqual([]);
  });

  it('are written in the transaction of the change: if the webhook cannot be stored, the payment is not approved', async () => {
    const auth = await approveInWindow(db, merchant, clock);
    expect(auth.paymentKey).toMatch(/^[A-Za-z0-9]+$/);
    const fn = sql.identifier(`psp_test_fail_${randomUUID().replaceAll('-', '')}`);
    await db.execute(sql`create function sandbox.${fn}() returns trigger language plpgsql as $$
      begin raise exception 'webhook store down'; end $$`);
    await db.execute(sql`create trigger ${fn} before insert on sandbox.webhook_deliveries for each row
      when (new.payment_key = ${sql.raw(`'${auth.paymentKey}'`)}) execute function sandbox.${fn}()`);
    let res;
    try {
      res = await sandbox.confirm(merchant.secretKey, auth);
    } finally {
      await db.execute(sql`drop trigger ${fn} on sandbox.webhook_deliveries`);
      await db.execute(sql`drop function sandbox.${fn}()`);
    }
    expect([res.status, res.json.code]).toEqual([500, 'FAILED_INTERNAL_SYSTEM_PROCESSING']);
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');
    expect(await db.select().from(pspTransactions).where(eq(pspTransactions.paymentKey, auth.paymentKey))).toEqual([]);
  });
});

describe('retries', () => {
  it("follows Toss's schedule exactly (1, 4, 16, 64, 256, 1024, 4096 minutes), with one transmission id, then gives up", async () => {
    receiver.answer(() => 500);
    const p = await confirmedPayment(db, sandbox, merchant, clock);
    const attemptTimes: number[] = [];
    attemptTimes.push(clock.now().getTime());
    expect(await deliver()).toMatchObject({ attempted: 1, retrying: 1 });

    for (const [i, minutes] of WEBHOOK_RETRY_MINUTES.entries()) {
      const [row] = await rowsOf(p.paymentKey);
      expect(row!.nextAttemptAt.getTime()).toBe(attemptTimes[i]! + minutes * MINUTE);
      expect(row!.retriedCount).toBe(i + 1);
      // Not a millisecond early.
      clock.advance(row!.nextAttemptAt.getTime() - clock.now().getTime() - 1);
      expect((await deliver()).attempted).toBe(0);
      clock.advance(1);
      attemptTimes.push(clock.now().getTime());
      const round = await deliver();
      expect(round).toEqual(i < WEBHOOK_RETRY_MINUTES.length - 1
        ? { attempted: 1, delivered: 0, retrying: 1, failed: 0 }
        : { attempted: 1, delivered: 0, retrying: 0, failed: 1 });
    }

    const [row] = await rowsOf(p.paymentKey);
    expect(row).toMatchObject({ status: 'FAILED', retriedCount: 7, lastResult: 'HTTP 500' });
    const mine = receiver.received.filter((h) => h.json.data.paymentKey === p.paymentKey);
    expect(mine).toHaveLength(8);
    expect(mine.map((h) => h.headers.get('tosspayments-webhook-transmission-retried-count'))).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(new Set(mine.map((h) => h.headers.get('tosspayments-webhook-transmission-id')))).toEqual(new Set([row!.transmissionId]));
    expect(new Set(mine.map((h) => h.text)).size).toBe(1);
    expect(mine.map((h) => h.headers.get('tosspayments-webhook-transmission-time'))).toEqual(attemptTimes.map((t) => toKstIso(new Date(t))));
    // The schedule adds up to Toss's "about 3 days 19 hours".
    expect(attemptTimes.at(-1)! - attemptTimes[0]!).toBe(5_461 * MINUTE);

    clock.advance(365 * 24 * 60 * MINUTE);
    expect((await deliver()).attempted).toBe(0);
  });

  it('counts only HTTP 200 as delivered: 204 is retried, then a 200 delivers it', async () => {
    receiver.answer(() => 204);
    const p = await confirmedPayment(db, sandbox, merchant, clock);
    expect(await deliver()).toMatchObject({ retrying: 1 });
    expect((await rowsOf(p.paymentKey))[0]).toMatchObject({ status: 'PENDING', lastResult: 'HTTP 204' });
    receiver.answer(() => 200);
    clock.advance(MINUTE);
    expect(await deliver()).toMatchObject({ delivered: 1 });
    const [row] = await rowsOf(p.paymentKey);
    expect([row!.status, row!.retriedCount]).toEqual(['DELIVERED', 1]);
    expect(receiver.received.at(-1)!.headers.get('tosspayments-webhook-transmission-retried-count')).toBe('1');
  });

  it('does not follow a redirect: a 302 is a failure', async () => {
    receiver.answer(() => 302);
    const p = await confirmedPayment(db, sandbox, merchant, clock);
    expect(await deliver()).toMatchObject({ retrying: 1 });
    expect((await rowsOf(p.paymentKey))[0]!.lastResult).toBe('HTTP 302');
    expect(receiver.received).toHaveLength(1);
  });

  it('retries an unreachable endpoint and one that does not answer in time', async () => {
    const closed = await startWebhookReceiver();
    await closed.close(); // nothing listens on its port any more
    const gone = await createPspMerchant(db, { webhookUrl: closed.url });
    const unreachable = await confirmedPayment(db, sandbox, gone, clock);
    receiver.answer(() => new Promise((r) => setTimeout(() => r(200), 1_000)));
    const slow = await confirmedPayment(db, sandbox, merchant, clock);
    expect(await deliver({ timeoutMs: 200 })).toEqual({ attempted: 2, delivered: 0, retrying: 2, failed: 0 });
    expect((await rowsOf(unreachable.paymentKey))[0]!.lastResult).toBe('ECONNREFUSED');
    expect((await rowsOf(slow.paymentKey))[0]!.lastResult).toBe('no answer within 200 ms');
  });

  it('scales the schedule with timeScale', async () => {
    receiver.answer(() => 503);
    const p = await confirmedPayment(db, sandbox, merchant, clock);
    const first = clock.now().getTime();
    await deliver({ timeScale: 0.001 });
    expect((await rowsOf(p.paymentKey))[0]!.nextAttemptAt.getTime()).toBe(first + 60);
    clock.advance(60);
    await deliver({ timeScale: 0.001 });
    expect((await rowsOf(p.paymentKey))[0]!.nextAttemptAt.getTime()).toBe(first + 60 + 240);
    await expect(deliver({ timeScale: 0 })).rejects.toThrow(/timeScale/);
  });

  it('leases a delivery for the POST timeout + 60 s, or for leaseMs, while its round runs (a sender killed mid-round leaves it that long)', async () => {
    const waiting: ((status: number) => void)[] = [];
    receiver.answer(() => new Promise((r) => waiting.push(r)));
    for (const [opts, leased] of [[{}, 10_000 + MINUTE], [{ leaseMs: 12_000 }, 12_000]] as const) {
      const p = await confirmedPayment(db, sandbox, merchant, clock);
      const round = deliver(opts);
      await expect.poll(() => waiting.length).toBe(1); // the POST is at the receiver, unanswered
      expect((await rowsOf(p.paymentKey))[0]!.nextAttemptAt.getTime()).toBe(clock.now().getTime() + leased);
      waiting.pop()!(200);
      await round;
    }
  });

  it('tries each due delivery once when rounds run concurrently (FOR UPDATE SKIP LOCKED)', async () => {
    receiver.answer(() => new Promise((r) => setTimeout(() => r(200), 50)));
    const payments = [];
    for (let i = 0; i < 6; i++) payments.push(await confirmedPayment(db, sandbox, merchant, clock));
    const rounds = await Promise.all([deliver(), deliver(), deliver()]);
    expect(rounds.reduce((n, r) => n + r.attempted, 0)).toBe(6);
    expect(receiver.received).toHaveLength(6);
    expect(new Set(receiver.received.map((h) => h.json.data.paymentKey))).toEqual(new Set(payments.map((p) => p.paymentKey)));
  });
});

describe('webhook registration', () => {
  it('PUT /v1/sandbox/webhook sets the URL for events from then on, and null stops them', async () => {
    const other = await startWebhookReceiver();
    try {
      const m = await createPspMerchant(db);
      const set = await sandbox.call('PUT', '/v1/sandbox/webhook', { secretKey: m.secretKey, body: { url: other.url } });
      expect([set.status, set.json]).toEqual([200, { url: other.url }]);
      const p = await confirmedPayment(db, sandbox, m, clock);
      await deliver();
      expect(other.received.map((h) => h.json.data.paymentKey)).toEqual([p.paymentKey]);

      const cleared = await sandbox.call('PUT', '/v1/sandbox/webhook', { secretKey: m.secretKey, body: { url: null } });
      expect([cleared.status, cleared.json]).toEqual([200, { url: null }]);
      const q = await confirmedPayment(db, sandbox, m, clock);
      expect(await rowsOf(q.paymentKey)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it.each([
    ['a relative URL', { url: '/webhooks' }, 'absolute http(s) URL'],
    ['another scheme', { url: 'ftp://example.com/x' }, 'absolute http(s) URL'],
    ['no url', {}, 'url is required'],
    ['a number', { url: 5 }, 'url must be a string'],
  ])('answers 400 INVALID_REQUEST for %s', async (_what, body, mentions) => {
    const res = await sandbox.call('PUT', '/v1/sandbox/webhook', { secretKey: merchant.secretKey, body });
    expect([res.status, res.json.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(res.json.message).toContain(mentions);
  });

  it('requires auth', async () => {
    const res = await sandbox.call('PUT', '/v1/sandbox/webhook', { body: { url: receiver.url } });
    expect([res.status, res.json.code]).toEqual([401, 'UNAUTHORIZED_KEY']);
  });

  it('ensurePspMerchant keeps the URL when the field is omitted and clears it with null', async () => {
    const m = await createPspMerchant(db, { webhookUrl: 'https://shop.example/hooks' });
    const { webhookUrl: _ignored, ...withoutUrl } = m;
    const again = await ensurePspMerchant(db, { mId: withoutUrl.mId, name: withoutUrl.name, clientKey: withoutUrl.clientKey, secretKey: withoutUrl.secretKey });
    expect(again.webhookUrl).toBe('https://shop.example/hooks');
    const cleared = await ensurePspMerchant(db, { mId: m.mId, name: m.name, clientKey: m.clientKey, secretKey: m.secretKey, webhookUrl: null });
    expect(cleared.webhookUrl).toBeNull();
    await expect(ensurePspMerchant(db, { mId: m.mId, name: m.name, clientKey: m.clientKey, secretKey: m.secretKey, webhookUrl: 'not a url' }))
      .rejects.toThrow(/url/);
  });
});
