import { expect, test } from '@playwright/test';
import { Dashboard } from './pages/dashboard';
import { BEANS, DRIPPER, FILTERS, KETTLE, MUG, Shop } from './pages/shop';

test.describe('a shopper pays', () => {
  test('buys two products, approves in the PSP window and sees the paid order', async ({ page }) => {
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(BEANS, 2);
    await shop.addToCart(DRIPPER);
    await expect(page.getByTestId('cart-line')).toHaveCount(2);
    await shop.checkout();
    await expect(page.getByTestId('psp-sandbox-badge')).toBeVisible();
    await expect(page.getByTestId('psp-amount')).toHaveText('₩68,000'); // 2 × 18,000 + 32,000, priced by our server
    await shop.approveInWindow();
    await page.waitForURL(/\/orders\/ord_/);
    await shop.expectOrderStatus('PAID');
  });

  test('a declined card shows the PSP message, and a retry succeeds', async ({ page }) => {
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(FILTERS);
    await shop.checkout();
    await shop.declineInWindow();
    await page.waitForURL(/\/checkout\/fail/);
    const message = page.getByTestId('payment-failure-message');
    await expect(message).toBeVisible();
    expect((await message.textContent())?.length).toBeGreaterThan(3);
    await expect(page.getByTestId('payment-failure-code')).toHaveText('REJECT_CARD_COMPANY');
    await expect(message).toHaveText('카드사에서 결제를 거절했습니다. 다른 카드로 다시 시도해 주세요.'); // our words, not the PSP's

    await page.getByTestId('retry-payment').click();
    await page.getByTestId('pay-submit').click();
    await page.waitForURL(/\/window\?/);
    await shop.approveInWindow();
    const orderId = await shop.expectPaidOrder();

    const dashboard = new Dashboard(page);
    await dashboard.signIn();
    await dashboard.openOrder(orderId);
    await expect(page.getByTestId('payment-attempt')).toHaveCount(2);
    await expect(dashboard.timelineEvents('DECLINED')).toHaveCount(1);
    await expect(dashboard.timelineEvents('APPROVED')).toHaveCount(1);
  });

  test('cancelling in the window returns to checkout, where the shopper can pay again', async ({ page }) => {
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(MUG);
    await shop.checkout();
    await shop.cancelInWindow();
    await page.waitForURL(/\/checkout\/ord_[0-9a-f]+\?canceled=1/);
    await expect(page.getByTestId('payment-canceled')).toBeVisible();
    await expect(page.getByTestId('pay-submit')).toBeEnabled();
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'PAYMENT_FAILED');
    await expect(page.getByTestId('order-status')).toHaveText('결제 실패');
  });

  test('after paying, Back and reopening the success URL charge nothing more', async ({ page }) => {
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(DRIPPER);
    await shop.checkout();
    let successUrl = '';
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame() && f.url().includes('/checkout/success')) successUrl ||= f.url();
    });
    await shop.approveInWindow();
    await page.waitForURL(/\/orders\/ord_/);
    expect(successUrl).toContain('paymentKey=');
    await shop.expectOrderStatus('PAID');
    const orderId = shop.orderIdFromUrl();

    await page.goBack();
    await page.goto(successUrl);
    await page.waitForURL(/\/orders\/ord_/);
    await shop.expectOrderStatus('PAID');
    await page.reload();
    await shop.expectOrderStatus('PAID');

    const dashboard = new Dashboard(page);
    await dashboard.signIn();
    await dashboard.openOrder(orderId);
    await expect(page.getByTestId('payment-attempt')).toHaveCount(1);
    await expect(dashboard.timelineEvents('CONFIRM_STARTED')).toHaveCount(1);
    await expect(dashboard.timelineEvents('APPROVED')).toHaveCount(1);
    // One approval journal: receivable, payable, fee out of payable, platform revenue.
    await expect(dashboard.journalLines()).toHaveCount(4);
  });
});

test('the merchant dashboard shows the order with its journal and a trial balance of 0', async ({ page }) => {
  const orderId = await new Shop(page).buy(KETTLE);

  const dashboard = new Dashboard(page);
  await dashboard.signIn();
  await dashboard.openOrder(orderId);
  await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'PAID');
  await expect(page.getByTestId('order-status')).toHaveText('결제 완료');
  await expect(dashboard.journalLines('PSP_RECEIVABLE')).toContainText('₩89,000');
  await expect(dashboard.journalLines('PSP_RECEIVABLE')).toContainText('결제사 미수금');
  expect(await dashboard.trialBalance()).toBe('0');
  await expect(page.locator('[data-testid="account-row"][data-account="PSP_RECEIVABLE"]')).toBeVisible();
});

test('a tampered success URL shows a clear error and charges nothing', async ({ page }) => {
  const shop = new Shop(page);
  await shop.open();
  await shop.addToCart(MUG);
  await shop.checkout();
  // Catch the PSP's redirect instead of following it: the shopper "edits" the URL first.
  let successUrl = '';
  await page.route((url) => url.pathname === '/window/authorize', async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    successUrl = response.headers()['location'] ?? '';
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>intercepted</p>' });
  });
  await shop.approveInWindow();
  await expect.poll(() => successUrl).toContain('amount=12000');
  await page.goto(successUrl.replace('amount=12000', 'amount=100'));
  await expect(page.getByTestId('confirm-error')).toHaveAttribute('data-code', 'AMOUNT_MISMATCH');
  await expect(page.getByTestId('confirm-error')).toContainText('결제 금액이 주문 금액과 다릅니다');

  const orderId = new URL(successUrl).searchParams.get('orderId')!;
  const dashboard = new Dashboard(page);
  await dashboard.signIn();
  await dashboard.openOrder(orderId);
  await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'AWAITING_PAYMENT');
  await expect(dashboard.timelineEvents('TAMPER_REJECTED')).toHaveCount(1);
  await expect(dashboard.timelineEvents('CONFIRM_STARTED')).toHaveCount(0);
  await expect(page.getByTestId('journal-empty')).toBeVisible();
});
