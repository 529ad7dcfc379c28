import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { baseURL, sandboxURL } from '../playwright.config';
import { COFFEE, Dashboard, TEA } from './pages/dashboard';
import { BEANS, KETTLE, MUG, Shop } from './pages/shop';

/**
 * Every shopper and dashboard page, in Korean and English, at a phone's 375 px and a laptop's
 * 1280 px: a screenshot of each (results/screenshots/, gitignored; look at them), and on each
 * page what nobody should meet: a raw enum, an amount without separators, a timestamp without
 * its zone, a request to another site, a page wider than the screen, a header that wraps.
 */
const SHOTS = path.join(process.cwd(), 'results', 'screenshots');
const LOCALES = ['ko', 'en'] as const;
const WIDTHS = [375, 1280] as const;

interface Visit { name: string; url: string; as: 'shopper' | 'merchant' | 'operator'; status?: number; ready?: string }

/** What a person reads on the page: visible text outside codes shown on purpose (<code>, <pre>). */
async function readableText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('code, pre, script, style, noscript, template')) continue;
      if (!el.checkVisibility()) continue;
      const text = n.textContent?.trim();
      if (text) out.push(text);
    }
    // Buttons and text inputs show their value too (a radio's or a checkbox's value is never shown).
    for (const input of document.querySelectorAll<HTMLInputElement>('input:not([type=hidden]):not([type=radio]):not([type=checkbox])')) if (input.value) out.push(input.value);
    return out;
  });
}

const RAW_ENUM = /\b[A-Z]+(?:_[A-Z0-9]+)+\b/g;
const BARE_AMOUNT = /(?:₩|KRW)\s?\d{4,}|\d{4,}\s?(?:원|KRW)/g;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?(?: KST)?/g;

function problemsIn(texts: string[]): string[] {
  const problems: string[] = [];
  for (const text of texts) {
    for (const m of text.matchAll(RAW_ENUM)) problems.push(`raw enum ${m[0]} in "${text.slice(0, 80)}"`);
    for (const m of text.matchAll(BARE_AMOUNT)) problems.push(`unformatted amount ${m[0]} in "${text.slice(0, 80)}"`);
    for (const m of text.matchAll(TIMESTAMP)) if (!m[0].endsWith(' KST')) problems.push(`timestamp without zone ${m[0]} in "${text.slice(0, 80)}"`);
  }
  return problems;
}

test.describe.configure({ mode: 'serial' });

let visits: Visit[] = [];

// The states to show, made once through the real checkout.
test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  const setup = await browser.newContext();
  const page0 = await setup.newPage();
  const shop = new Shop(page0);
  const paidId = await shop.buy(KETTLE);
  await shop.open();
  await shop.addToCart(BEANS);
  await shop.checkout();
  const windowUrl = page0.url();
  const declinedId = new URL(windowUrl).searchParams.get('orderId')!;
  await shop.declineInWindow();
  await page0.waitForURL(/\/checkout\/fail/);
  const failUrl = page0.url();
  const dashboard = new Dashboard(page0);
  await dashboard.signIn(COFFEE);
  await dashboard.openOrder(paidId);
  await page0.getByTestId('refund-amount').fill('9000');
  await page0.getByTestId('refund-submit').click();
  await expect(page0.getByTestId('refund-result')).toBeVisible();
  await setup.close();
  // An operator's reconciliation run, so its table has rows to fit.
  const opContext = await browser.newContext();
  const opPage = await opContext.newPage();
  await new Dashboard(opPage).signIn(TEA);
  await opPage.goto('/dashboard/reconciliation');
  await opPage.getByTestId('reconcile-now').click();
  await expect(opPage.getByTestId('reconciliation-run').first()).toBeVisible();
  const runHref = await opPage.getByTestId('reconciliation-run').first().locator('a').getAttribute('href');
  await opContext.close();

  visits = [
    { name: 'shop', url: '/', as: 'shopper', ready: 'product-card' },
    { name: 'checkout', url: `/checkout/${declinedId}`, as: 'shopper', ready: 'pay-submit' },
    { name: 'checkout-cancelled', url: `/checkout/${declinedId}?canceled=1`, as: 'shopper', ready: 'payment-canceled' },
    { name: 'psp-window', url: windowUrl, as: 'shopper', ready: 'psp-approve' },
    { name: 'payment-failed', url: failUrl, as: 'shopper', ready: 'payment-failure-message' },
    { name: 'order-paid', url: `/orders/${paidId}`, as: 'shopper', ready: 'order-headline' },
    { name: 'order-failed', url: `/orders/${declinedId}`, as: 'shopper', ready: 'order-headline' },
    { name: 'not-found', url: '/orders/ord_doesnotexist', as: 'shopper', status: 404, ready: 'not-found' },
    { name: 'login', url: '/login', as: 'shopper', ready: 'login-form' },
    { name: 'dashboard-overview', url: '/dashboard', as: 'merchant', ready: 'overview-volume' },
    { name: 'dashboard-orders', url: '/dashboard/orders', as: 'merchant', ready: 'order-row' },
    { name: 'dashboard-order', url: `/dashboard/orders/${paidId}`, as: 'merchant', ready: 'payment-attempt' },
    { name: 'dashboard-ledger', url: '/dashboard/ledger', as: 'merchant', ready: 'trial-balance' },
    { name: 'dashboard-events', url: '/dashboard/events', as: 'merchant', ready: 'outbox-backlog' },
    { name: 'dashboard-reconciliation', url: '/dashboard/reconciliation', as: 'merchant', ready: 'reconciliation-run' },
    { name: 'dashboard-reconciliation-run', url: runHref!, as: 'merchant' },
    { name: 'dashboard-settings', url: '/dashboard/settings', as: 'merchant', ready: 'webhook-url' },
    { name: 'dashboard-audit', url: '/dashboard/audit', as: 'merchant', ready: 'audit-row' },
    { name: 'dashboard-not-found', url: '/dashboard/orders/ord_doesnotexist', as: 'merchant', status: 404, ready: 'not-found' },
    { name: 'operator-dead-letters', url: '/operator/dead-letters', as: 'operator' },
  ];
});

for (const locale of LOCALES) {
  for (const width of WIDTHS) {
    test(`every page in ${locale} at ${width} px: screenshot, words, money, time and layout`, async ({ browser }) => {
      test.setTimeout(300_000);
      const sandboxOrigin = new URL(sandboxURL).origin;
      const dir = path.join(SHOTS, `${locale}-${width}`);
      mkdirSync(dir, { recursive: true });
      const problems: string[] = [];
      const sessions = new Map<Visit['as'], Page>();
      const pageFor = async (as: Visit['as']) => {
        let p = sessions.get(as);
        if (p) return p;
        const context = await browser.newContext({ viewport: { width, height: width < 600 ? 740 : 800 }, deviceScaleFactor: 1 });
        await context.addCookies([{ name: 'locale', value: locale, url: baseURL }]);
        p = await context.newPage();
        p.on('request', (r) => {
          const origin = new URL(r.url()).origin;
          if (origin !== new URL(baseURL).origin && origin !== sandboxOrigin && !r.url().startsWith('data:')) problems.push(`request to another site: ${r.url()}`);
        });
        if (as !== 'shopper') await new Dashboard(p).signIn(as === 'operator' ? TEA : COFFEE);
        sessions.set(as, p);
        return p;
      };
      for (const visit of visits) {
        const page = await pageFor(visit.as);
        const where = `${locale} ${width}px ${visit.name}`;
        const res = await page.goto(visit.url);
        expect(res?.status(), where).toBe(visit.status ?? 200);
        if (visit.ready) await expect(page.getByTestId(visit.ready).first(), where).toBeVisible({ timeout: 20_000 });
        await page.evaluate(() => document.fonts.ready);
        await page.screenshot({ path: path.join(dir, `${visit.name}.png`), fullPage: true });

        await expect(page.locator('html'), where).toHaveAttribute('lang', locale);
        for (const p of problemsIn(await readableText(page))) problems.push(`${where}: ${p}`);
        const layout = await page.evaluate(() => {
          const nav = document.querySelector('header.top nav');
          return {
            pageWidth: document.documentElement.scrollWidth,
            navHidden: nav ? nav.scrollWidth - nav.clientWidth : 0,
            switchShown: !!document.querySelector('[data-testid="locale-switch"]'),
            fontLoaded: [...document.fonts].some((f) => /pretendard/i.test(f.family) && f.status === 'loaded'),
          };
        });
        // Shopper pages must fit a phone; the dashboard is for a laptop (its tables scroll on a phone).
        if ((visit.as === 'shopper' || width === 1280) && layout.pageWidth > width + 1) problems.push(`${where}: the page is ${layout.pageWidth}px wide`);
        if (width === 1280 && layout.navHidden > 0) problems.push(`${where}: ${layout.navHidden}px of the header navigation do not fit`);
        if (!layout.switchShown) problems.push(`${where}: no language switch`);
        if (!layout.fontLoaded) problems.push(`${where}: the Korean font (Pretendard) was not loaded`);
      }
      for (const p of sessions.values()) await p.context().close();
      console.log(`screenshots: ${dir}`);
      expect(problems).toEqual([]);
    });
  }
}
