import { expect, test } from '@playwright/test';
import { baseURL } from '../playwright.config';
import { atTheBank, loseConfirmAnswer, ourDueDatePassed, recoveryPass, windowOpenedLongAgo } from './pages/backstage';
import { BEANS, DRIPPER, FILTERS, KETTLE, MUG, Shop } from './pages/shop';

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

test('confirming: the PSP approved but its answer was lost; the page says so, then turns paid by itself', async ({ page }) => {
  const shop = new Shop(page);
  await shop.open();
  await shop.addToCart(KETTLE);
  await shop.checkout();
  // Between the window's redirect and our server's confirm, the PSP's network starts losing its
  // answers for this payment: the PSP approves, we never hear it.
  await page.route('**/api/payments/confirm', async (route) => {
    const { paymentKey } = route.request().postDataJSON() as { paymentKey: string };
    await loseConfirmAnswer(paymentKey);
    await route.continue();
  }, { times: 1 });
  await shop.approveInWindow();
  await page.waitForURL(/\/orders\/ord_/);
  const headline = page.getByTestId('order-headline');
  await expect(headline).toHaveAttribute('data-headline', 'CONFIRMING');
  await expect(headline).toHaveText('결제를 확인하고 있습니다. 이 화면은 자동으로 새로 고쳐집니다.');
  await expect(page.locator('main')).not.toContainText(NOTHING_CHARGED.ko);
  await expect(page.getByTestId('retry-payment')).toHaveCount(0);

  // The PSP's PAYMENT_STATUS_CHANGED webhook (the sandbox sends one) is looked up once the PSP
  // answers again, and the page, polling, turns paid by itself.
  await expect(headline).toHaveAttribute('data-headline', 'PAID', { timeout: 30_000 });
  await shop.expectOrderStatus('PAID');
  await expect(headline).toHaveText('감사합니다. 결제가 완료되었습니다.');
});

test('expired: the shopper left the PSP window open; after its 30 minutes the order says it timed out, and can be paid again', async ({ page }) => {
  const shop = new Shop(page);
  await shop.open();
  await shop.addToCart(MUG);
  await shop.checkout();
  const orderId = new URL(page.url()).searchParams.get('orderId')!;
  await page.goto(`/orders/${orderId}`);
  await shop.expectOrderStatus('AWAITING_PAYMENT');

  await windowOpenedLongAgo(orderId);
  expect(await recoveryPass()).toMatch(/(^|\s)expiry \{"expired":\d+\}/m);
  await page.reload();
  const headline = page.getByTestId('order-headline');
  await expect(headline).toHaveAttribute('data-headline', 'EXPIRED');
  await expect(headline).toHaveText('결제 시간이 지나 결제가 완료되지 않았습니다. 결제된 금액은 없습니다.');
  await expect(page.getByTestId('retry-payment')).toBeVisible();
});

test('virtual account: the due date passes without a deposit; recovery ends it and the order page says so', async ({ page }) => {
  const shop = new Shop(page);
  await shop.open();
  await shop.addToCart(BEANS);
  await page.getByTestId('pay-method-VIRTUAL_ACCOUNT').check();
  await shop.checkout();
  await shop.approveInWindow();
  await page.waitForURL(/\/orders\/ord_/);
  await shop.expectOrderStatus('AWAITING_DEPOSIT');
  const orderId = shop.orderIdFromUrl();

  // Toss sends no webhook when a due date passes: only recovery's lookup notices.
  await atTheBank(orderId, 'pass-due-date');
  await ourDueDatePassed(orderId);
  expect(await recoveryPass()).toMatch(/deposit-expiry \{"expired":\d+\}/);
  await shop.expectOrderStatus('PAYMENT_FAILED');
  await expect(page.getByTestId('order-headline')).toHaveAttribute('data-headline', 'EXPIRED');
  await expect(page.getByTestId('deposit-expired')).toHaveText('입금 기한이 지나 가상계좌가 만료되었습니다. 결제된 금액은 없습니다.');
  await expect(page.getByTestId('virtual-account')).toHaveCount(0);
});
