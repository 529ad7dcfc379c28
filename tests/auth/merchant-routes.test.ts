import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { payments } from '@/db/schema';
import { createApiKey } from '@/lib/auth/api-keys';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';

/**
 * Every route under app/api is either on the public list below (shopper flow, PSP webhooks,
 * login) or wrapped in `withMerchant`. A new route that is neither fails this test.
 */
const PUBLIC_ROUTES = new Set([
  'api/auth/[...all]',
  'api/checkout',
  'api/products',
  'api/orders/[orderId]',
  'api/orders/[orderId]/payment-request',
  'api/payments/confirm',
  'api/payments/fail',
  'api/webhooks/psp',
]);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function routeFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full, base);
    return name === 'route.ts' ? [path.relative(base, path.dirname(full))] : [];
  });
}

const appDir = path.join(process.cwd(), 'app');
const apiRoutes = routeFiles(path.join(appDir, 'api')).map((r) => `api/${r}`).sort();

let shopA: TestShop;
let shopB: TestShop;
let orderOfA: string;
let paymentOfA: string;
let keyOfB: string;

beforeAll(async () => {
  process.env.DATABASE_URL = inject('databaseUrl'); // the route modules connect through db()
  const { db } = testDatabase();
  shopA = await createShop(db);
  shopB = await createShop(db);
  const order = await createOrder(db, { items: [{ productId: shopA.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
  orderOfA = order.orderId;
  paymentOfA = (await db.select().from(payments).where(eq(payments.orderId, order.orderId)))[0]!.id;
  keyOfB = (await createApiKey(db, shopB.merchantId, 'test', 'test')).key;
});
afterAll(closeTestDatabase);

/** Fills a route's [params] with merchant A's ids. */
function paramsFor(route: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [, name] of route.matchAll(/\[(\w+)\]/g)) params[name!] = name === 'orderId' ? orderOfA : name === 'paymentId' ? paymentOfA : 'x';
  return params;
}

async function call(route: string, method: string, headers: Record<string, string>) {
  const mod = (await import(/* @vite-ignore */ path.join(appDir, route, 'route.ts'))) as Record<string, unknown>;
  const handler = mod[method] as (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
  const url = `http://localhost/${route.replace(/\[(\w+)\]/g, (_m, n: string) => paramsFor(route)[n]!)}`;
  const body = method === 'GET' ? undefined : JSON.stringify({ amount: 1, reason: 'test' });
  return handler(new Request(url, { method, headers: { 'content-type': 'application/json', 'idempotency-key': newId('rfd'), ...headers }, body }), { params: Promise.resolve(paramsFor(route)) });
}

describe('merchant API routes', () => {
  it('finds the routes (the enumeration itself works)', () => {
    expect(apiRoutes).toContain('api/payments/[paymentId]/refunds');
    expect(apiRoutes.length).toBeGreaterThan(PUBLIC_ROUTES.size);
  });

  it('every non-public route is wrapped in withMerchant', async () => {
    const unwrapped: string[] = [];
    for (const route of apiRoutes.filter((r) => !PUBLIC_ROUTES.has(r))) {
      const mod = (await import(/* @vite-ignore */ path.join(appDir, route, 'route.ts'))) as Record<string, { requiresMerchant?: boolean } | undefined>;
      for (const m of METHODS) if (mod[m] && mod[m]!.requiresMerchant !== true) unwrapped.push(`${m} /${route}`);
    }
    expect(unwrapped).toEqual([]);
  });

  it('every merchant route rejects an anonymous request with 401 and the error shape', async () => {
    for (const route of apiRoutes.filter((r) => !PUBLIC_ROUTES.has(r))) {
      const mod = (await import(/* @vite-ignore */ path.join(appDir, route, 'route.ts'))) as Record<string, unknown>;
      for (const m of METHODS.filter((x) => mod[x])) {
        const res = await call(route, m, {});
        expect(res.status, `${m} /${route}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('every merchant route refuses a bad API key, and never shows or changes another merchant\'s data', async () => {
    for (const route of apiRoutes.filter((r) => !PUBLIC_ROUTES.has(r))) {
      const mod = (await import(/* @vite-ignore */ path.join(appDir, route, 'route.ts'))) as Record<string, unknown>;
      for (const m of METHODS.filter((x) => mod[x])) {
        expect((await call(route, m, { authorization: 'Bearer won_sk_not-a-real-key' })).status, `${m} /${route}`).toBe(401);
        const res = await call(route, m, { authorization: `Bearer ${keyOfB}` });
        const text = await res.text();
        // Either "not found" (a route about A's order or payment), or B's own data without A's ids.
        if (route.includes('[')) expect(res.status, `${m} /${route}: ${text}`).toBe(404);
        else expect(res.status, `${m} /${route}: ${text}`).toBeLessThan(500);
        expect(text).not.toContain(orderOfA);
        expect(text).not.toContain(paymentOfA);
      }
    }
    const { db } = testDatabase();
    const [p] = await db.select().from(payments).where(eq(payments.id, paymentOfA));
    expect(p!.status).toBe('NOT_STARTED'); // nothing of A's changed
  });
});
