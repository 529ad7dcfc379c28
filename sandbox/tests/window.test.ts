import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { pspPayments } from '@/sandbox/db/schema';
import {
  type AuthorizeWindowInput, InvalidWindowRequestError, authorizePaymentWindow,
} from '@/sandbox/lib/authorize-window';
import { kstStamp } from '@/sandbox/lib/clock';
import { parseWindowRequest } from '@/sandbox/lib/window-request';
import { testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, newOrderId, paymentRow, testClock, useSandboxHarness,
} from './support';

const db = sandboxDb(testDatabase().sql);
const clock = testClock(new Date('2026-03-01T15:04:05.000Z')); // 2026-03-02 00:04:05 in Korea
const h = useSandboxHarness(db, clock);

function request(overrides: AuthorizeWindowInput = {}): AuthorizeWindowInput {
  return {
    clientKey: h.merchant.clientKey,
    orderId: newOrderId(),
    orderName: '핸드드립 세트',
    amount: '36000',
    currency: 'KRW',
    successUrl: 'https://shop.test/checkout/success?lang=ko',
    failUrl: 'https://shop.test/checkout/fail',
    action: 'approve',
    ...overrides,
  };
}

const rowsOf = (orderId: string) => db.select().from(pspPayments).where(eq(pspPayments.orderId, orderId));

describe('approve', () => {
  it('creates the payment IN_PROGRESS and redirects to successUrl with paymentType, orderId, paymentKey and amount', async () => {
    const input = request();
    const url = new URL(await authorizePaymentWindow(db, input, clock.now));

    expect(`${url.origin}${url.pathname}`).toBe('https://shop.test/checkout/success');
    expect(url.searchParams.get('lang')).toBe('ko');
    expect(url.searchParams.get('paymentType')).toBe('NORMAL');
    expect(url.searchParams.get('orderId')).toBe(input.orderId);
    expect(url.searchParams.get('amount')).toBe('36000');
    const paymentKey = url.searchParams.get('paymentKey')!;
    expect(paymentKey).toMatch(/^tsbx\d{14}[A-Za-z0-9]{5}$/);
    expect(paymentKey.slice(4, 18)).toBe('20260302000405');
    expect(kstStamp(clock.now())).toBe('20260302000405');

    const row = await paymentRow(db, paymentKey);
    expect(row).toMatchObject({
      mId: h.merchant.mId, orderId: input.orderId, orderName: '핸드드립 세트', amount: 36_000, balanceAmount: 36_000,
      currency: 'KRW', status: 'IN_PROGRESS', approvedAt: null, lastTransactionKey: null,
    });
    expect(row.authenticatedAt?.getTime()).toBe(clock.now().getTime());
  });

  it('issues a new paymentKey for every approval, also of the same order', async () => {
    const orderId = newOrderId();
    const keys = new Set<string>();
    for (let i = 0; i < 5; i++) keys.add((await approveInWindow(db, h.merchant, clock, { orderId })).paymentKey);
    expect(keys.size).toBe(5);
    expect(await rowsOf(orderId)).toHaveLength(5);
  });

  it('defaults the currency to KRW', async () => {
    const url = new URL(await authorizePaymentWindow(db, request({ currency: '' }), clock.now));
    expect((await paymentRow(db, url.searchParams.get('paymentKey')!)).currency).toBe('KRW');
  });

  it('refuses a new attempt of an order that is already paid: failUrl with DUPLICATED_ORDER_ID, no new payment', async () => {
    const orderId = newOrderId();
    const paid = await approveInWindow(db, h.merchant, clock, { orderId });
    expect((await h.sandbox.confirm(h.merchant.secretKey, paid)).status).toBe(200);

    const url = new URL(await authorizePaymentWindow(db, request({ orderId }), clock.now));
    expect(`${url.origin}${url.pathname}`).toBe('https://shop.test/checkout/fail');
    expect(url.searchParams.get('code')).toBe('DUPLICATED_ORDER_ID');
    expect(url.searchParams.get('message')).toBeTruthy();
    expect(url.searchParams.get('orderId')).toBe(orderId);
    expect(await rowsOf(orderId)).toHaveLength(1);
  });
});

describe('decline and cancel', () => {
  it.each([
    ['decline', 'REJECT_CARD_COMPANY'],
    ['cancel', 'PAY_PROCESS_CANCELED'],
  ])('%s redirects to failUrl with code %s, a message and the orderId, and creates no payment', async (action, code) => {
    const input = request({ action, failUrl: 'https://shop.test/checkout/fail?from=psp' });
    const url = new URL(await authorizePaymentWindow(db, input, clock.now));
    expect(`${url.origin}${url.pathname}`).toBe('https://shop.test/checkout/fail');
    expect(url.searchParams.get('from')).toBe('psp');
    expect(url.searchParams.get('code')).toBe(code);
    expect(url.searchParams.get('message')).toMatch(/.{5,}/);
    expect(url.searchParams.get('orderId')).toBe(input.orderId);
    expect(url.searchParams.has('paymentKey')).toBe(false);
    expect(await rowsOf(input.orderId as string)).toHaveLength(0);
  });
});

describe('invalid window requests', () => {
  it.each<[string, AuthorizeWindowInput, string]>([
    ['a missing clientKey', { clientKey: undefined }, 'clientKey is required'],
    ['an unknown clientKey', { clientKey: 'test_ck_nobody' }, 'clientKey does not belong'],
    ['a short orderId', { orderId: 'ab12' }, 'orderId'],
    ['an orderId with "="', { orderId: 'order=0001' }, 'orderId'],
    ['an orderId over 64 characters', { orderId: 'o'.repeat(65) }, 'orderId'],
    ['an empty orderName', { orderName: ' ' }, 'orderName'],
    ['an orderName over 100 characters', { orderName: '가'.repeat(101) }, 'orderName'],
    ['a zero amount', { amount: '0' }, 'amount must be greater than 0'],
    ['a negative amount', { amount: -100 }, 'amount must be greater than 0'],
    ['a fractional amount', { amount: '1.5' }, 'amount'],
    ['a non-numeric amount', { amount: 'free' }, 'amount'],
    ['another currency', { currency: 'USD' }, 'currency must be KRW'],
    ['a relative successUrl', { successUrl: '/checkout/success' }, 'successUrl must be an absolute http(s) URL'],
    ['a javascript: failUrl', { failUrl: 'javascript:alert(1)' }, 'failUrl must be an absolute http(s) URL'],
    ['an unknown action', { action: 'steal' }, 'action must be approve, decline or cancel'],
  ])('refuses %s, naming the problem, and creates nothing', async (_what, overrides, mentions) => {
    const input = request(overrides);
    const err = await authorizePaymentWindow(db, input, clock.now).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidWindowRequestError);
    expect((err as InvalidWindowRequestError).issues.join('\n')).toContain(mentions);
    if (typeof input.orderId === 'string') expect(await rowsOf(input.orderId)).toHaveLength(0);
  });

  it('reports every problem at once', async () => {
    const err = await authorizePaymentWindow(db, request({ orderId: 'x', amount: '0', failUrl: 'nope' }), clock.now)
      .then(() => null, (e: unknown) => e as InvalidWindowRequestError);
    expect(err?.issues).toHaveLength(3);
  });
});

describe("only the merchant's registered origins (no open redirect)", () => {
  it.each<[string, AuthorizeWindowInput]>([
    ['a successUrl on another site', { successUrl: 'https://evil.example/checkout/success' }],
    ['a failUrl on another site', { failUrl: 'https://evil.example/phish' }],
    ['a successUrl on another port of the shop', { successUrl: 'https://shop.test:8443/checkout/success' }],
    ['a successUrl on a subdomain of the shop', { successUrl: 'https://pay.shop.test/checkout/success' }],
  ])('refuses %s for every action and creates nothing', async (_what, overrides) => {
    for (const action of ['approve', 'decline', 'cancel']) {
      const input = request({ ...overrides, action });
      const err = await authorizePaymentWindow(db, input, clock.now).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidWindowRequestError);
      expect((err as InvalidWindowRequestError).issues.join('\n')).toContain("must be on one of the merchant's registered origins");
      expect(await rowsOf(input.orderId as string)).toHaveLength(0);
    }
  });

  it('over HTTP: the window page answers 400 and the form no 303 to an unregistered origin', async () => {
    const input = request({ successUrl: 'https://evil.example/checkout/success' });
    const query = new URLSearchParams(Object.entries(input).map(([k, v]) => [k, String(v)]));
    const page = await fetch(`${h.sandbox.url}/window?${query}`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('registered origins');
    const form = await fetch(`${h.sandbox.url}/window/authorize`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query.toString(),
    });
    expect(form.status).toBe(400);
    expect(form.headers.get('location')).toBeNull();
    expect(await rowsOf(input.orderId as string)).toHaveLength(0);
  });

  it('accepts URLs on a registered origin, with any path and query', async () => {
    const url = new URL(await authorizePaymentWindow(db, request({ successUrl: 'http://shop.test/any/where?x=1' }), clock.now));
    expect(url.origin).toBe('http://shop.test');
  });
});

describe('the window page data', () => {
  it("finds the merchant by clientKey and parses the query for display", async () => {
    const parsed = await parseWindowRequest(db, request({ amount: '50000' }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.merchant.name).toBe(h.merchant.name);
    expect(parsed.request).toMatchObject({ orderName: '핸드드립 세트', amount: 50_000, currency: 'KRW' });
  });

  it('keeps the merchant for display when only other fields are wrong', async () => {
    const parsed = await parseWindowRequest(db, request({ amount: 'lots' }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.merchant?.mId).toBe(h.merchant.mId);
    expect(parsed.issues.join()).toContain('amount');
  });
});
