import { expect, test } from '@playwright/test';
import { baseURL } from '../playwright.config';
import { DRIPPER, FILTERS, MUG, Shop } from './pages/shop';

/** The words a shopper reads in each state the checkout can reach, in Korean (the default) and English. */

const NOTHING_CHARGED = { ko: '결제된 금액은 없습니다', en: 'Nothing was charged' };

test('paid, then Back into the window and Approve again: the order is paid, never "nothing was charged"', async ({ page }) => {
  const shop = new Shop(page);
  await shop.open();
  await shop.addToCart(DRIPPER);
  await shop.checkout();
  await shop.approveInWindow();
  const orderId = await shop.expectPaidOrder();
  await expect(page.getByTestId('order-headline')).toHaveText('감사합니다. 결제가 완료되었습니다.');
  await expect(page.getByTestId('order-status')).toHaveText('결제 완료');

  await page.goBack(); // the success page was replaced by the order page: Back is the window
  await page.waitForURL(/\/window\?/);
  await shop.approveInWindow(); // the PSP refuses a second payment of a paid order (DUPLICATED_ORDER_ID)
  await page.waitForURL(/\/checkout\/fail/);
  const paid = page.getByTestId('fail-already-paid');
  await expect(paid).toHaveText('이 주문은 이미 결제가 완료되었습니다. 이번 요청으로 추가 결제되지는 않았습니다.');
  await expect(page.locator('main')).not.toContainText(NOTHING_CHARGED.ko);
  await expect(page.getByTestId('retry-payment')).toHaveCount(0);
  await page.goto(`/orders/${orderId}`);
  await shop.expectOrderStatus('PAID');
});

test('a tampered success URL on a paid order says it is paid, not that nothing was charged', async ({ page }) => {
  const shop = new Shop(page);
  await shop.open();
  await shop.addToCart(MUG);
  await shop.checkout();
  let successUrl = '';
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame() && f.url().includes('/checkout/success')) successUrl ||= f.url();
  });
  await shop.approveInWindow();
  await shop.expectPaidOrder();
  expect(successUrl).toContain('amount=12000');

  await page.goto(successUrl.replace('amount=12000', 'amount=100'));
  await expect(page.getByTestId('confirm-already-paid')).toBeVisible();
  await expect(page.locator('main')).not.toContainText(NOTHING_CHARGED.ko);
  await expect(page.getByTestId('confirm-error')).toHaveCount(0);
});

test('in English: a declined card, a cancel and the order page speak English, with the PSP code shown apart', async ({ page, context }) => {
  await context.addCookies([{ name: 'locale', value: 'en', url: baseURL }]);
  const shop = new Shop(page);
  await shop.open();
  await expect(page.getByTestId('checkout-submit')).toHaveText('Checkout and pay');
  await shop.addToCart(FILTERS);
  await shop.checkout();
  await expect(page.getByTestId('psp-approve')).toHaveText('Pay ₩4,500');
  await shop.declineInWindow();
  await page.waitForURL(/\/checkout\/fail/);
  await expect(page.getByTestId('payment-failure-message')).toHaveText('Your card company declined the payment. Please try another card.');
  await expect(page.getByTestId('payment-failure-code')).toHaveText('REJECT_CARD_COMPANY');
  await expect(page.locator('main')).toContainText(NOTHING_CHARGED.en);
  const orderId = new URL(page.url()).searchParams.get('orderId')!;

  await page.goto(`/orders/${orderId}`);
  await expect(page.getByTestId('order-headline')).toHaveText('The payment did not go through. Nothing was charged.');
  await expect(page.getByTestId('order-status')).toHaveText('Payment failed');

  await page.getByTestId('retry-payment').click();
  await page.getByTestId('pay-submit').click();
  await page.waitForURL(/\/window\?/);
  await shop.cancelInWindow();
  await page.waitForURL(/\/checkout\/ord_[0-9a-f]+\?canceled=1/);
  await expect(page.getByTestId('payment-canceled')).toHaveText('You cancelled the payment. Nothing was charged; you can pay again below.');
  await page.goto(`/orders/${orderId}`);
  await expect(page.getByTestId('order-headline')).toHaveAttribute('data-headline', 'CANCELED');
  await expect(page.getByTestId('order-headline')).toHaveText('You cancelled the payment. Nothing was charged.');
});

test('the language switch on the shop sets a cookie every page (and the PSP window) follows', async ({ page }) => {
  const shop = new Shop(page);
  await shop.open();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByTestId('checkout-submit')).toHaveText('주문하고 결제하기');
  await page.getByTestId('locale-en').click();
  await expect(page.getByTestId('checkout-submit')).toHaveText('Checkout and pay');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/login');
  await expect(page.getByTestId('login-submit')).toHaveText('Sign in');
  await shop.open();
  await shop.addToCart(MUG);
  await shop.checkout();
  await expect(page.getByTestId('psp-cancel')).toHaveText('Cancel payment');
  // The window names the shop the shopper buys from, not the platform holding the PSP contract.
  await expect(page.getByTestId('psp-merchant')).toHaveText('Demo Coffee Roasters');
  await expect(page.getByTestId('psp-brand')).toHaveText('Demo Coffee Roasters');
  await page.getByTestId('locale-ko').click();
  await expect(page.getByTestId('psp-cancel')).toHaveText('결제 취소');
});

test('an unknown order is a 404 page (HTTP 404), in the shop’s frame', async ({ page }) => {
  const res = await page.goto('/orders/ord_doesnotexist');
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId('not-found')).toContainText('페이지를 찾을 수 없습니다');
  await expect(page.getByTestId('locale-switch')).toBeVisible();
  expect((await page.goto('/orders/not%20an%20id'))?.status()).toBe(404);
});
