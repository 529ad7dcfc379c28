import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { merchants, webhookDeliveries } from '@/db/schema';
import { deliverWebhook } from '@/lib/consumers/webhook-notifier';
import type { PaymentEvent } from '@/lib/events/contract';
import { newId } from '@/lib/ids';
import { assertPublicWebhookUrl, isPublicAddress } from '@/lib/security/webhook-destination';
import { setWebhookUrl } from '@/lib/settings/merchant-settings';
import { testDatabase } from '../helpers/db';

const dbPort = new URL(inject('databaseUrl')).port;
/** What issue 11 item 3 saved and sent to: the database port, cloud metadata, loopback ssh. */
const INNER = [`http://127.0.0.1:${dbPort}/`, 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:22/', 'http://localhost:5432/', 'http://10.0.0.5/hook', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0:22/'];

let receiver: http.Server;
let hits = 0;
let receiverUrl = '';

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    hits++;
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

describe('webhook URLs: only http(s) to public addresses (issue 11 item 3)', () => {
  it('classifies addresses', () => {
    expect(isPublicAddress('93.184.215.14')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '0.0.0.0', '224.0.0.1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });

  for (const url of INNER) {
    it(`refuses to save ${url}`, async () => {
      const db = testDatabase().db;
      const merchantId = newId('mer');
      await db.insert(merchants).values({ id: merchantId, name: 'SSRF', feeBps: 250 });
      await expect(setWebhookUrl(db, merchantId, url, 'test', )).rejects.toThrow(/public address|not a public/);
      const [m] = await db.select({ url: merchants.webhookUrl }).from(merchants).where(eq(merchants.id, merchantId));
      expect(m!.url).toBeNull();
    });
  }

  it('refuses other schemes and credentials in the URL, accepts a public address', async () => {
    await expect(assertPublicWebhookUrl('ftp://93.184.215.14/', false)).rejects.toThrow(/http/);
    await expect(assertPublicWebhookUrl('http://user:pw@93.184.215.14/', false)).rejects.toThrow(/password/);
    await expect(assertPublicWebhookUrl('https://93.184.215.14/hook', false)).resolves.toBeUndefined();
  });

  it('local development may opt in (WEBHOOK_ALLOW_PRIVATE_URLS=1)', async () => {
    await expect(assertPublicWebhookUrl('http://127.0.0.1:3000/hook', true)).resolves.toBeUndefined();
  });

  it('refuses at send time a private URL already stored (or one whose name now resolves inward), and sends nothing', async () => {
    const db = testDatabase().db;
    for (const url of [...INNER, receiverUrl, receiverUrl.replace('127.0.0.1', 'localhost')]) {
      const merchantId = newId('mer');
      // Stored directly: a row from before this rule, or a name that resolved elsewhere at save time.
      await db.insert(merchants).values({ id: merchantId, name: 'SSRF', feeBps: 250, webhookUrl: url, webhookSecret: 's' });
      const event = { eventId: newId('evt'), type: 'payment.approved', merchantId, paymentId: newId('pay') } as unknown as PaymentEvent;
      const before = hits;
      const outcome = await deliverWebhook({ db, producer: undefined as never, log: pino({ level: 'silent' }), retryDelaysMs: [1], timeoutMs: 2_000, allowPrivateUrls: false }, event, 1);
      expect(outcome.kind, url).toBe('failed');
      expect(hits, url).toBe(before);
      const [d] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, event.eventId));
      expect(d!.error, url).toMatch(/not allowed|not a public address/);
      expect(d!.statusCode).toBeNull();
    }
  });

  it('with the opt-in the same local receiver gets the webhook', async () => {
    const db = testDatabase().db;
    const merchantId = newId('mer');
    await db.insert(merchants).values({ id: merchantId, name: 'SSRF', feeBps: 250, webhookUrl: receiverUrl, webhookSecret: 's' });
    const event = { eventId: newId('evt'), type: 'payment.approved', merchantId, paymentId: newId('pay') } as unknown as PaymentEvent;
    const before = hits;
    const outcome = await deliverWebhook({ db, producer: undefined as never, log: pino({ level: 'silent' }), retryDelaysMs: [1], timeoutMs: 2_000, allowPrivateUrls: true }, event, 1);
    expect(outcome.kind).toBe('delivered');
    expect(hits).toBe(before + 1);
  });

  it('follows no redirect (a public endpoint cannot bounce the notifier inward)', async () => {
    const redirector = http.createServer((_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${dbPort}/` }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    try {
      const db = testDatabase().db;
      const merchantId = newId('mer');
      await db.insert(merchants).values({ id: merchantId, name: 'SSRF', feeBps: 250, webhookUrl: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`, webhookSecret: 's' });
      const event = { eventId: newId('evt'), type: 'payment.approved', merchantId, paymentId: newId('pay') } as unknown as PaymentEvent;
      const outcome = await deliverWebhook({ db, producer: undefined as never, log: pino({ level: 'silent' }), retryDelaysMs: [1], timeoutMs: 2_000, allowPrivateUrls: true }, event, 1);
      expect(outcome).toEqual({ kind: 'failed', error: 'HTTP 307' });
    } finally {
      await new Promise<void>((r) => redirector.close(() => r()));
    }
  });
});
