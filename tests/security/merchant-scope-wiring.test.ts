import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { hashPassword } from 'better-auth/crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { MERCHANT_ROLE } from '@/db/merchant-scope';
import { account, auditLog, deadLetters, merchantApiKeys, merchants, outbox, user } from '@/db/schema';
import { createApiKey } from '@/lib/auth/api-keys';
import { merchantFromHeaders } from '@/lib/auth/merchant-context';
import { listOrphanDeadLetters } from '@/lib/dead-letters/list-orphan-dead-letters';
import { replayOrphanDeadLetter } from '@/lib/dead-letters/replay-dead-letter';
import type { PaymentEvent } from '@/lib/events/contract';
import { newId } from '@/lib/ids';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';

/**
 * Row-level security helps only if merchant requests run under it: the merchant context (the
 * one place a merchant is resolved) hands out the scope, and no page, action or route that
 * resolves a merchant reads merchant data through the owner's pool. Operators' pages keep the
 * owner's pool, behind the operator check.
 */

// Next's request scope (headers, notFound, redirect), not our database, is stubbed for the page functions.
const requestHeaders = new Headers();
vi.mock('next/headers', () => ({ headers: async () => requestHeaders }));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
// next-intl's server functions read the request's locale through Next's request scope: the pages
// get the Korean messages, translated by next-intl's own translator.
vi.mock('next-intl/server', async () => {
  const { createTranslator } = await import('next-intl');
  const messages = (await import('@/messages/ko.json')).default;
  return {
    getLocale: async () => 'ko',
    getTranslations: async (namespace?: string) => createTranslator({ locale: 'ko', messages, namespace: namespace as never }),
  };
});
vi.mock('next/navigation', () => ({
  notFound: () => { throw new Error('NEXT_NOT_FOUND'); },
  redirect: (to: string) => { throw new Error(`NEXT_REDIRECT ${to}`); },
}));

/**
 * The only owner-pool reads left in merchant code, each with why it is not merchant data or
 * cannot run in one scoped transaction.
 */
const OWNER_CALLS_ALLOWED = [
  // Workers' heartbeats and the whole outbox's backlog: the platform's health, not merchant rows.
  'getSystemHealth(db())',
  // Reserves the amount and commits before calling the PSP, then books the outcome in another
  // transaction (a crash in between leaves a reservation that recovery finishes): it cannot live
  // in one scoped transaction, and runs as the owner like the pay path. It filters by the context's merchant.
  'requestRefund(db(),',
  // The same for calling off a virtual account: the PSP's cancel sits between its read and its
  // write, so it cannot hold one scoped transaction open; it filters by the context's merchant.
  'cancelVirtualAccount(db(),',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

const password = 'correct horse battery';
let shop: TestShop;
let merchantEmail: string;
let operatorEmail: string;

async function addLogin(email: string, merchantId: string | null) {
  const { db } = testDatabase();
  const userId = newId('usr');
  await db.insert(user).values({ id: userId, name: email, email, emailVerified: true, merchantId });
  await db.insert(account).values({ id: newId('usr'), accountId: userId, providerId: 'credential', userId, password: await hashPassword(password) });
}

async function signIn(email: string): Promise<string> {
  const route = await import('@/app/api/auth/[...all]/route');
  const res = await route.POST(new Request('http://localhost:3000/api/auth/sign-in/email', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', 'x-forwarded-for': '10.9.0.1' },
    body: JSON.stringify({ email, password }),
  }));
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

beforeAll(async () => {
  process.env.DATABASE_URL = inject('databaseUrl');
  process.env.APP_URL = 'http://localhost:3000';
  operatorEmail = `ops-${newId('usr').slice(-8)}@platform.test`;
  merchantEmail = `owner-${newId('usr').slice(-8)}@shop.test`;
  process.env.OPERATOR_EMAILS = operatorEmail;
  const { db } = testDatabase();
  shop = await createShop(db);
  await addLogin(merchantEmail, shop.merchantId);
  await addLogin(operatorEmail, null);
});
afterAll(closeTestDatabase);

describe('merchant requests run under row-level security', () => {
  it('no page, action or route that resolves a merchant reads through the owner\'s pool, except the listed calls', () => {
    const appDir = path.join(process.cwd(), 'app');
    const merchantFiles = sourceFiles(appDir).filter((f) => /requireMerchantPage|requireMerchantAction|withMerchant\b/.test(readFileSync(f, 'utf8')));
    expect(merchantFiles.length).toBeGreaterThanOrEqual(15);
    const ownerCalls = merchantFiles.flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return [...text.matchAll(/db\(\)/g)]
        .filter((m) => !OWNER_CALLS_ALLOWED.some((allowed) => {
          const [before, after] = allowed.split('db()') as [string, string];
          return text.slice(m.index - before.length, m.index) === before && text.slice(m.index + 4, m.index + 4 + after.length) === after;
        }))
        .map((m) => `${path.relative(process.cwd(), f)}: …${text.slice(Math.max(0, m.index - 40), m.index + 10).replace(/\s+/g, ' ')}`);
    });
    expect(ownerCalls).toEqual([]);
  });

  it('the merchant context\'s scope is won_app with that merchant, for an API key and for a signed-in login', async () => {
    const { db } = testDatabase();
    const { key } = await createApiKey(db, shop.merchantId, 'rls', 'test');
    for (const headers of [new Headers({ authorization: `Bearer ${key}` }), new Headers({ cookie: await signIn(merchantEmail) })]) {
      const ctx = await merchantFromHeaders(headers);
      expect(ctx?.merchantId).toBe(shop.merchantId);
      const [row] = await ctx!.withScope((tx) => tx.execute<{ role: string; merchant: string }>(sql`select current_user as role, current_setting('app.merchant_id', true) as merchant`));
      expect({ ...row }).toEqual({ role: MERCHANT_ROLE, merchant: shop.merchantId });
    }
  });

  it('a merchant session never reaches the operator\'s dead letters: not the page, not the action, not the rows even through the operator\'s own query', async () => {
    const { db } = testDatabase();
    const [letter] = await db.insert(deadLetters).values({ consumer: 'rls-wiring', eventId: null, merchantId: null, sourceTopic: 't', rawValue: '{broken', error: 'e', attempts: 1 }).returning();
    requestHeaders.set('cookie', await signIn(merchantEmail));
    const { requireOperatorPage, requireOperatorAction } = await import('@/lib/auth/operator-context');
    await expect(requireOperatorPage()).rejects.toThrow('NEXT_NOT_FOUND');
    await expect(requireOperatorAction()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // The second wall: handed the operator's query, the merchant's scope still sees none of the platform's rows.
    const ctx = (await merchantFromHeaders(requestHeaders))!;
    const seen = await ctx.withScope((tx) => listOrphanDeadLetters(tx, 1, 1_000));
    expect(seen.rows).toEqual([]);
    await expect(ctx.withScope((tx) => replayOrphanDeadLetter(tx, letter!.id, ctx.actor))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The operator, on the owner's pool, does see it.
    requestHeaders.set('cookie', await signIn(operatorEmail));
    await expect(requireOperatorPage()).resolves.toEqual({ actor: `operator:${operatorEmail}` });
    expect((await listOrphanDeadLetters(db, 1, 1_000)).rows.map((r) => r.id)).toContain(letter!.id);
  });

  it('every dashboard page renders, and every merchant action changes what it should, under the scope', async () => {
    const { db } = testDatabase();
    requestHeaders.set('cookie', await signIn(merchantEmail));
    const sp = Promise.resolve({});
    const pages: [string, () => Promise<unknown>][] = [
      ['layout', async () => (await import('@/app/dashboard/layout')).default({ children: null })],
      ['overview', async () => (await import('@/app/dashboard/page')).default({ searchParams: sp })],
      ['orders', async () => (await import('@/app/dashboard/orders/page')).default({ searchParams: sp })],
      ['ledger', async () => (await import('@/app/dashboard/ledger/page')).default()],
      ['events', async () => (await import('@/app/dashboard/events/page')).default({ searchParams: sp })],
      ['reconciliation', async () => (await import('@/app/dashboard/reconciliation/page')).default({ searchParams: sp })],
      ['settings', async () => (await import('@/app/dashboard/settings/page')).default()],
      ['audit', async () => (await import('@/app/dashboard/audit/page')).default({ searchParams: sp })],
    ];
    for (const [name, render] of pages) expect(await render().then(() => 'rendered', (err: unknown) => String(err)), name).toBe('rendered');

    const settings = await import('@/app/dashboard/settings/actions');
    const idle = { ok: true, message: '' };
    expect(await settings.rotateSecretAction(idle)).toMatchObject({ ok: true });
    expect(await settings.saveWebhookUrlAction(idle, formOf({ webhookUrl: '' }))).toMatchObject({ ok: true });
    const created = await settings.createApiKeyAction(idle, formOf({ name: 'scoped' }));
    expect(created).toMatchObject({ ok: true });
    const [key] = await db.select().from(merchantApiKeys).where(and(eq(merchantApiKeys.merchantId, shop.merchantId), eq(merchantApiKeys.name, 'scoped')));
    await settings.revokeApiKeyAction(formOf({ id: key!.id }));
    const [revoked] = await db.select().from(merchantApiKeys).where(eq(merchantApiKeys.id, key!.id));
    expect(revoked!.revokedAt).not.toBeNull();
    const [m] = await db.select().from(merchants).where(eq(merchants.id, shop.merchantId));
    expect(m!.webhookSecret).toBeTruthy();
    // Replaying one of the merchant's dead letters enqueues its event again (outbox, audit).
    const event: PaymentEvent = {
      eventId: newId('evt'), type: 'PaymentFailed', version: 1, occurredAt: new Date().toISOString(),
      merchantId: shop.merchantId, paymentId: newId('pay'), orderId: newId('ord'), amount: 1_000, currency: 'KRW', failureCode: 'X', failureMessage: 'x',
    };
    const [letter] = await db.insert(deadLetters).values({ consumer: 'rls-wiring', eventId: event.eventId, merchantId: shop.merchantId, sourceTopic: 't', payload: event, error: 'e', attempts: 1 }).returning();
    await (await import('@/app/dashboard/events/actions')).replayDeadLetterAction(formOf({ deadLetterId: String(letter!.id) }));
    expect(await db.select().from(outbox).where(eq(outbox.eventId, event.eventId))).toHaveLength(1);
    const actions = (await db.select().from(auditLog).where(eq(auditLog.merchantId, shop.merchantId))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['webhook-secret.rotated', 'webhook-url.changed', 'api-key.created', 'api-key.revoked', 'dead-letter.replayed']));
  });
});

function formOf(values: Record<string, string>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(values)) form.set(k, v);
  return form;
}
