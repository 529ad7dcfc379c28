import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { merchants } from '@/db/schema';
import { createApiKey } from '@/lib/auth/api-keys';
import { BODY_LIMITS } from '@/lib/http/respond';
import { createIsolatedDatabase } from '../helpers/db';

/**
 * Every route handler under app/, found by walking the folder (a new route is covered without
 * touching this file), gets the inputs that once answered 500: NUL bytes in every string that
 * could reach PostgreSQL, undecodable percent-encoding and NUL in dynamic segments, and bodies
 * far over the cap. Each must be a 4xx in the error shape, and no handler may read past its cap.
 * (Undecodable paths never reach a handler: proxy.ts answers 400 first, tests/security/request-guard.)
 */
type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const APP = path.resolve('app');

interface RouteFile { file: string; segments: string[] }

function findRoutes(dir: string, segments: string[] = []): RouteFile[] {
  const found: RouteFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...findRoutes(path.join(dir, entry.name), [...segments, entry.name]));
    else if (/^route\.(ts|tsx|js)$/.test(entry.name)) found.push({ file: path.join(dir, entry.name), segments });
  }
  return found;
}

/** A concrete path and params for a route, with `value` in every dynamic segment. */
function instantiate(segments: string[], value: string): { url: string; params: Record<string, string | string[]> } {
  const params: Record<string, string | string[]> = {};
  const parts = segments.filter((s) => !/^\(.*\)$/.test(s)).map((s) => {
    const catchAll = s.match(/^\[\.\.\.(\w+)\]$/);
    if (catchAll) {
      params[catchAll[1]!] = ['payments', value];
      return `payments/${encodeURIComponent(value)}`;
    }
    const dynamic = s.match(/^\[(\w+)\]$/);
    if (dynamic) {
      params[dynamic[1]!] = value;
      return encodeURIComponent(value);
    }
    return s;
  });
  return { url: `http://localhost/${parts.join('/')}`, params };
}

const NUL = 'a\u0000b';
/** A JSON body whose every plausible field is a string with a NUL byte in it. */
const nulBody = JSON.stringify(Object.fromEntries(
  ['items', 'checkoutKey', 'orderId', 'paymentKey', 'amount', 'code', 'message', 'reason', 'eventType', 'email', 'password', 'cancelReason', 'name', 'webhookUrl']
    .map((k) => [k, k === 'items' ? [{ productId: NUL, quantity: 1 }] : NUL]),
));
/** Webhook-shaped, so a lenient schema reaches the database with the NUL. */
const nulWebhook = JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: '2026-01-01T00:00:00.000000', data: { paymentKey: NUL, orderId: NUL, status: 'DONE' } });

/** A body stream of `total` bytes that counts how much the handler pulled. */
function countingBody(total: number) {
  const chunk = new TextEncoder().encode(`{"x":"${'a'.repeat(16 * 1024 - 8)}`);
  let sent = 0;
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      sent += chunk.byteLength;
      counter.pulled = sent;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

let apiKey = '';
const routes = findRoutes(APP);

beforeAll(async () => {
  const own = await createIsolatedDatabase();
  process.env.DATABASE_URL = own.url;
  await own.db.insert(merchants).values({ id: 'mer_fuzz_routes', name: 'Fuzz', feeBps: 250 });
  apiKey = (await createApiKey(own.db, 'mer_fuzz_routes', 'fuzz', 'test')).key;
});

async function expectErrorShape(res: Response, what: string) {
  expect(res.status, `${what} answered ${res.status}`).toBeLessThan(500);
  if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
    const body = (await res.json()) as { error?: { code?: string; message?: string }; code?: string; message?: string };
    expect(typeof (body.error?.code ?? body.code), `${what}: ${JSON.stringify(body)}`).toBe('string');
    expect(typeof (body.error?.message ?? body.message)).toBe('string');
  }
}

describe('every route under app/ answers bad input with a 4xx', () => {
  it('finds the routes (the walk itself works)', () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes.some((r) => r.segments.join('/') === 'api/checkout')).toBe(true);
  });

  for (const route of routes) {
    const name = `/${route.segments.join('/')}`;
    it(`${name}: NUL bytes, undecodable and NUL path segments, oversized bodies`, { timeout: 60_000 }, async () => {
      const mod = (await import(route.file)) as Record<string, Handler | undefined>;
      const methods = METHODS.filter((m) => typeof mod[m] === 'function');
      expect(methods.length, `${name} exports no handler`).toBeGreaterThan(0);
      for (const method of methods) {
        const handler = mod[method]!;
        const withBody = method !== 'GET';
        // Basic credentials decode to bytes: a NUL there reaches the key lookup.
        for (const auth of [{} as Record<string, string>, { authorization: `Bearer ${apiKey}` }, { authorization: `Basic ${Buffer.from(`${NUL}:`).toString('base64')}` }]) {
          for (const segment of ['%ZZ', '%E0%A4%A', NUL, `ord_${NUL}`, '%00']) {
            const { url, params } = instantiate(route.segments, segment);
            for (const body of withBody ? [nulBody, nulWebhook] : [undefined]) {
              const res = await handler(new Request(url.replace(encodeURIComponent(segment), 'x'), {
                method,
                headers: { 'content-type': 'application/json', 'tosspayments-webhook-transmission-id': 'wh_fuzz_1', 'idempotency-key': 'fuzz-1', ...auth },
                body,
              }), { params: Promise.resolve(params) });
              await expectErrorShape(res, `${method} ${name} [${JSON.stringify(segment)}]`);
            }
          }
          // Query strings with NUL reach searches and filters.
          const { url, params } = instantiate(route.segments, 'x');
          const q = `?q=${encodeURIComponent(NUL)}&status=${encodeURIComponent(NUL)}&page=1`;
          const res = await handler(new Request(url + q, { method, headers: { 'content-type': 'application/json', ...auth }, body: withBody ? nulBody : undefined }), { params: Promise.resolve(params) });
          await expectErrorShape(res, `${method} ${name}${q}`);
          if (!withBody) continue;
          // 4 MB, streamed without a Content-Length: the handler must stop at its cap.
          const { stream, counter } = countingBody(4 * 1024 * 1024);
          const big = await handler(new Request(url, { method, headers: { 'content-type': 'application/json', ...auth }, body: stream, duplex: 'half' } as RequestInit), { params: Promise.resolve(params) });
          await expectErrorShape(big, `${method} ${name} with a 4 MB body`);
          expect(counter.pulled, `${method} ${name} read ${counter.pulled} bytes of a 4 MB body`).toBeLessThanOrEqual(BODY_LIMITS.webhook + 64 * 1024);
          if (counter.pulled > BODY_LIMITS.api) expect(big.status).toBe(413);
          // And a declared oversized Content-Length is refused without reading.
          const declared = await handler(new Request(url, { method, headers: { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024), ...auth }, body: '{}' }), { params: Promise.resolve(params) });
          await expectErrorShape(declared, `${method} ${name} declaring 200 MB`);
        }
      }
    });
  }
});
