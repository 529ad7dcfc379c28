import { expect, test } from '@playwright/test';
import { Dashboard } from './pages/dashboard';
import { Shop } from './pages/shop';

test.describe('a shopper pays', () => {
  test('buys two products, approves in the PSP window and sees the paid order', async ({ page }) => {
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(0, 2);
    await shop.addToCart(1);
    await expect(page.getByTestId('cart-line')).toHaveCount(2);
    await shop.checkout();
    await expect(page.getByText('Sandbox')).toBeVisible();
    await shop.approveInWindow();
    await page.waitForURL(/\/orders\/ord_/);
    await shop.expectOrderStatus('PAID');
  });

  test('a declined card shows the PSP message, and a retry succeeds', async ({ page }) => {
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(2);
    await shop.checkout();
    await shop.declineInWindow();
    await page.waitForURL(/\/checkout\/fail/);
    const message = page.getByTestId('payment-failure-message');
    await expect(message).toBeVisible();
    expect((await message.textContent())?.length).toBeGreaterThan(3);
    await expect(page.getByText('REJECT_CARD_COMPANY')).toBeVisible();

    await page.getByTestId('retry-payment').click();
    await page.getByTestId('pay-submit').click();
    await page.waitForURL(/\/psp\/window/);
    await shop.approveInWindow();
    await page.waitForURL(/\/orders\/ord_/);
    await shop.expectOrderStatus('PAID');

    const orderId = shop.orderIdFromUrl();
    const dashboard = new Dashboard(page);
    await dashboard.openOrder(orderId);
    await expect(page.getByTestId('payment-attempt')).toHaveCount(2);
    await expect(dashboard.timelineEvents('DECLINED')).toHaveCount(1);
    await expect(dashboard.timelineEvents('APPROVED')).toHaveCount(1);
  });

  test('cancelling in the window returns to checkout, where the shopper can pay again', async ({ page }) => {
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(3);
    await shop.checkout();
    await shop.cancelInWindow();
    await page.waitForURL(/\/checkout\/ord_[0-9a-f]+\?canceled=1/);
    await expect(page.getByTestId('payment-canceled')).toBeVisible();
    await expect(page.getByTestId('pay-submit')).toBeEnabled();
    await expect(page.getByTestId('order-status')).toHaveText('PAYMENT_FAILED');
  });

  test('after paying, Back and reopening the success URL charge nothing more', async ({ page }) => {
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(1);
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
    await dashboard.openOrder(orderId);
    await expect(page.getByTestId('payment-attempt')).toHaveCount(1);
    await expect(dashboard.timelineEvents('CONFIRM_STARTED')).toHaveCount(1);
    await expect(dashboard.timelineEvents('APPROVED')).toHaveCount(1);
    // One approval journal: receivable, payable, fee out of payable, platform revenue.
    await expect(dashboard.journalLines()).toHaveCount(4);
  });
});

test('the merchant dashboard shows the order with its journal and a trial balance of 0', async ({ page }) => {
  const shop = new Shop(page);
  await shop.open();
  await shop.addToCart(4);
  await shop.checkout();
  await shop.approveInWindow();
  await page.waitForURL(/\/orders\/ord_/);
  await shop.expectOrderStatus('PAID');
  const orderId = shop.orderIdFromUrl();

  const dashboard = new Dashboard(page);
  await dashboard.openOrder(orderId);
  await expect(page.getByTestId('order-status')).toHaveText('PAID');
  await expect(dashboard.journalLines().filter({ hasText: 'PSP_RECEIVABLE' })).toContainText('₩89,000');
  expect(await dashboard.trialBalance()).toBe('0');
  await expect(page.getByTestId('account-row').filter({ hasText: 'PSP_RECEIVABLE' })).toBeVisible();
});
