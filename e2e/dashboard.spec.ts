import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { COFFEE, Dashboard, TEA } from './pages/dashboard';
import { MUG, Shop } from './pages/shop';

/** A paid order of the coffee shop (2 mugs), bought through the real checkout. */
const buyMug = (page: import('@playwright/test').Page) => new Shop(page).buy(MUG, 2);

test('the dashboard needs a session: anonymous visitors go to the login page', async ({ page }) => {
  await page.goto('/dashboard/ledger');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId('login-form')).toBeVisible();
});

test('sign in and out; a wrong password shows an error', async ({ page }) => {
  await page.goto('/login');
  await page.getByTestId('login-email').fill(COFFEE.email);
  await page.getByTestId('login-password').fill('not the password');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('이메일 또는 비밀번호가 올바르지 않습니다.');

  const dashboard = new Dashboard(page);
  await dashboard.signIn(COFFEE);
  await expect(page.getByTestId('merchant-name')).toContainText('Demo Coffee Roasters');
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
});

test('merchant B opening merchant A\'s order page or API gets 404', async ({ page }) => {
  const orderId = await buyMug(page);
  const dashboard = new Dashboard(page);
  await dashboard.signIn(TEA);
  const res = await page.goto(`/dashboard/orders/${orderId}`);
  expect(res?.status()).toBe(404);
  // ... inside the dashboard: its header and navigation around the message.
  await expect(page.getByTestId('not-found')).toBeVisible();
  await expect(page.getByTestId('dashboard-nav')).toBeVisible();
  expect((await page.goto('/dashboard/orders/ord_doesnotexist'))?.status()).toBe(404);
  expect((await page.goto('/dashboard/no-such-page'))?.status()).toBe(404);
  await expect(page.getByTestId('dashboard-nav')).toBeVisible();
  const api = await page.request.post(`/api/payments/pay_${'0'.repeat(32)}/refunds`, { data: { amount: 1, reason: 'x' }, headers: { 'idempotency-key': 'e2e-cross-tenant-1', origin: new URL(page.url()).origin } });
  expect(api.status()).toBe(404);
  // ... and A's order is not in B's lists.
  await page.goto('/dashboard/orders');
  await expect(page.locator(`[data-order-id="${orderId}"]`)).toHaveCount(0);
});

test('only an operator (OPERATOR_EMAILS) opens the page of dead letters that belong to no merchant', async ({ page }) => {
  const anonymous = await page.goto('/operator/dead-letters');
  expect(anonymous?.ok()).toBe(true);
  await expect(page).toHaveURL(/\/login$/);
  const dashboard = new Dashboard(page);
  await dashboard.signIn(COFFEE); // a merchant, not an operator: as if there were no such page
  expect((await page.goto('/operator/dead-letters'))?.status()).toBe(404);
  await page.context().clearCookies();
  await dashboard.signIn(TEA); // listed in OPERATOR_EMAILS by playwright.config.ts
  expect((await page.goto('/operator/dead-letters'))?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: '가맹점이 없는 실패 이벤트' })).toBeVisible();
  await expect(page.getByTestId('operator-name')).toHaveText(TEA.email);
});

test('a refund from the order page updates the timeline, the ledger and the audit log', async ({ page }) => {
  const orderId = await buyMug(page); // 2 × ₩12,000
  const dashboard = new Dashboard(page);
  await dashboard.signIn(COFFEE);
  await dashboard.openOrder(orderId);
  await page.getByTestId('refund-amount').fill('5000');
  await page.getByTestId('refund-reason').fill('one mug arrived chipped');
  await page.getByTestId('refund-submit').click();
  await expect(page.getByTestId('refund-result')).toHaveText('₩5,000 환불되었습니다.');
  await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'PARTIALLY_REFUNDED');
  await expect(page.getByTestId('order-status')).toHaveText('부분 환불');
  await expect(dashboard.timelineEvents('REFUNDED')).toHaveCount(1);
  await expect(page.getByTestId('refund-row')).toHaveCount(1);
  // Approval (4 lines) + refund reversal (2 lines).
  await expect(dashboard.journalLines()).toHaveCount(6);
  expect(await dashboard.trialBalance()).toBe('0');
  await page.goto('/dashboard/audit');
  const audit = page.locator('[data-testid="audit-row"][data-action="refund.requested"]').first();
  await expect(audit).toContainText(COFFEE.email);
  await expect(audit).toContainText('환불 요청');
});

test('the overview renders its charts', async ({ page }, testInfo) => {
  await buyMug(page);
  const dashboard = new Dashboard(page);
  await dashboard.signIn(COFFEE);
  await page.goto('/dashboard');
  await expect(page.getByTestId('chart-volume').locator('svg').first()).toBeVisible();
  await expect(page.getByTestId('chart-count').locator('svg').first()).toBeVisible();
  await expect(page.getByTestId('overview-approval-rate')).toContainText('%');
  await expect(page.getByTestId('overview-approval-rate')).toContainText('구매자 취소');
  const shot = testInfo.outputPath('overview.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('overview', { path: shot, contentType: 'image/png' });
});

test('pages carry a nonce-based CSP and refuse to be framed', async ({ page }) => {
  const res = await page.goto('/');
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(csp).not.toContain("'unsafe-inline' 'strict-dynamic'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res?.headers()['x-frame-options']).toBe('DENY');
  await expect(page.getByTestId('product-card').first()).toBeVisible(); // the app still runs under it
});

test('no secret reaches the browser bundle', () => {
  const secrets = [
    process.env.TOSS_SECRET_KEY ?? 'test_sk_sandbox_zXLkKEypNArWmo50nX3l',
    'development-only-secret-do-not-use-in-production!',
    'postgres:postgres@',
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (full.endsWith('.js')) files.push(full);
    }
  };
  walk(path.join(process.cwd(), '.next', 'static'));
  expect(files.length).toBeGreaterThan(5);
  const leaks = files.flatMap((f) => secrets.filter((s) => readFileSync(f, 'utf8').includes(s)).map((s) => `${path.basename(f)}: ${s.slice(0, 12)}…`));
  expect(leaks).toEqual([]);
});

test('with `npm start` and no workers, every dashboard page says the relay, consumers and recovery are down', async ({ page }) => {
  // The e2e server is `npm start` alone: no worker ever wrote a heartbeat.
  const dashboard = new Dashboard(page);
  await dashboard.signIn(COFFEE);
  for (const url of ['/dashboard', '/dashboard/orders']) {
    await page.goto(url);
    const banner = page.getByTestId('system-health-banner');
    await expect(banner).toBeVisible();
    for (const worker of ['outbox-relay', 'consumers', 'recovery']) {
      await expect(banner.locator(`[data-problem="worker-down:${worker}"]`)).toContainText('실행된 적 없음');
    }
    await expect(banner).toContainText('아웃박스 릴레이 멈춤: 실행된 적 없음');
  }
  await page.goto('/dashboard');
  await expect(page.getByTestId('health-outbox-relay')).toHaveAttribute('data-alive', 'false');
  await expect(page.getByTestId('health-outbox-relay')).toContainText('멈춤');
});
