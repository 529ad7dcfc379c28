import { count, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { orders, payments, pspWebhookReceipts, refunds } from '@/db/schema';
import { sandboxDb } from '@/sandbox/db/client';
import { createSandboxHandler } from '@/sandbox/server';
import { ensurePspMerchant } from '@/sandbox/lib/merchants';
import type { Db } from '@/db/client';
import { createIsolatedDatabase } from '../helpers/db';

let fuzzDb: Db;

/**
 * Random and malformed input against every public route and the sandbox API: never a 500,
 * always the error shape with a code, and no state change from a rejected request.
 */
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
interface Target { name: string; method: string; path: string; handler: () => Promise<Handler>; params?: Record<string, string>; headers?: Record<string, string> }

const nasty = fc.oneof(
  fc.string(), fc.string({ unit: 'binary' }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.constant("'; drop table payments; --"), fc.constant('<script>alert(1)</script>'), fc.constant('9'.repeat(400)),
  fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.constant(-1), fc.constant('NaN'), fc.constant({ $gt: '' }),
  fc.array(fc.string(), { maxLength: 3 }),
);
const bodies = fc.oneof(
  fc.json().map((j) => j),
  fc.string().map((s) => s),
  fc.dictionary(fc.constantFrom('items', 'checkoutKey', 'orderId', 'paymentKey', 'amount', 'code', 'message', 'reason', 'eventType', 'data', 'cancelReason', 'cancelAmount', 'extra'), nasty).map((o) => JSON.stringify(o)),
  fc.record({ items: fc.array(fc.record({ productId: nasty, quantity: nasty }), { maxLength: 3 }), checkoutKey: nasty }).map((o) => JSON.stringify(o)),
);

const SECRET = 'test_sk_fuzz_0123456789abcdef';
const basic = `Basic ${Buffer.from(`${SECRET}:`).toString('base64')}`;

const targets: Target[] = [
  { name: 'checkout', method: 'POST', path: '/api/checkout', handler: async () => (await import('@/app/api/checkout/route')).POST as Handler },
  { name: 'confirm', method: 'POST', path: '/api/payments/confirm', handler: async () => (await import('@/app/api/payments/confirm/route')).POST as Handler },
  { name: 'fail', method: 'POST', path: '/api/payments/fail', handler: async () => (await import('@/app/api/payments/fail/route')).POST as Handler },
  { name: 'payment-request', method: 'POST', path: '/api/orders/x/payment-request', params: { orderId: "ord_'; --" }, handler: async () => (await import('@/app/api/orders/[orderId]/payment-request/route')).POST as Handler },
  { name: 'order', method: 'GET', path: '/api/orders/x', params: { orderId: '<script>' }, handler: async () => (await import('@/app/api/orders/[orderId]/route')).GET as Handler },
  { name: 'psp-webhook', method: 'POST', path: '/api/webhooks/psp', headers: { 'tosspayments-webhook-transmission-id': "wh'; drop" }, handler: async () => (await import('@/app/api/webhooks/psp/route')).POST as Handler },
  { name: 'sandbox confirm', method: 'POST', path: '/v1/payments/confirm', headers: { authorization: basic }, handler: async () => sandboxHandler() },
  { name: 'sandbox cancel', method: 'POST', path: '/v1/payments/tsbx_nope/cancel', headers: { authorization: basic }, handler: async () => sandboxHandler() },
  { name: 'sandbox settlements', method: 'GET', path: '/v1/settlements?startDate=%27&size=99999', headers: { authorization: basic }, handler: async () => sandboxHandler() },
];

/** The sandbox server's routes (sandbox/server.ts) on this file's database. */
const sandboxHandler = () => createSandboxHandler({ db: sandboxDb(fuzzDb), operatorToken: 'fuzz-operator-token-0123' }) as unknown as Handler;

async function stateCounts() {
  const db = fuzzDb;
  const [o] = await db.select({ n: count() }).from(orders);
  const [p] = await db.select({ n: count() }).from(payments);
  const [r] = await db.select({ n: count() }).from(refunds);
  const [w] = await db.select({ n: count() }).from(pspWebhookReceipts);
  const [pp] = (await db.execute(sql`select count(*)::int as n from sandbox.payments where status <> 'IN_PROGRESS'`)) as unknown as { n: number }[];
  return { orders: o!.n, payments: p!.n, refunds: r!.n, webhooks: w!.n, pspFinished: pp!.n };
}

beforeAll(async () => {
  // A database of its own, so "nothing changed" can be checked exactly; the route modules
  // connect to DATABASE_URL on first use.
  const own = await createIsolatedDatabase();
  fuzzDb = own.db;
  process.env.DATABASE_URL = own.url;
  await ensurePspMerchant(sandboxDb(fuzzDb), { mId: 'fuzzmerchant', name: 'Fuzz', clientKey: 'test_ck_fuzz_0123456789abcdef', secretKey: SECRET });
});

describe('bad input never breaks anything', () => {
  for (const t of targets) {
    it(`${t.method} ${t.name}: random and malformed requests get a 4xx with a code, and change nothing`, { timeout: 120_000 }, async () => {
      const handler = await t.handler();
      await fc.assert(fc.asyncProperty(bodies, async (body) => {
        const before = await stateCounts();
        const url = new URL(t.path, 'http://localhost');
        const res = await handler(new Request(url, {
          method: t.method,
          headers: { 'content-type': 'application/json', ...t.headers },
          body: t.method === 'GET' ? undefined : body,
        }), { params: Promise.resolve(t.params ?? {}) });
        expect(res.status, `${t.name} answered ${res.status} to ${body.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) {
          const json = (await res.json()) as { error?: { code?: string; message?: string }; code?: string; message?: string };
          const code = json.error?.code ?? json.code;
          expect(typeof code).toBe('string');
          expect(typeof (json.error?.message ?? json.message)).toBe('string');
          expect(await stateCounts()).toEqual(before);
        }
      }), { numRuns: Number(process.env.FUZZ_RUNS ?? 60) });
    });
  }
});
