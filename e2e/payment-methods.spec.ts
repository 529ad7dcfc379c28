import { expect, test } from '@playwright/test';
import { BEANS, MUG, Shop } from './pages/shop';

/** The sandbox beside the app (playwright.config.ts) and its development credentials. */
const sandboxURL = `http://127.0.0.1:${Number(process.env.E2E_SANDBOX_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 1)}`;
const DEMO_SECRET_KEY = process.env.TOSS_SECRET_KEY ?? 'test_sk_sandbox_zXLkKEypNArWmo50nX3l';
const OPERATOR_TOKEN = process.env.SANDBOX_OPERATOR_TOKEN ?? 'sandbox-operator-dev-token';
const basic = `Basic ${Buffer.from(`${DEMO_SECRET_KEY}:`).toString('base64')}`;

/** The bank's side of the sandbox: what a real deposit would be. */
async function depositAtTheBank(orderId: string): Promise<void> {
  const lookup = await fetch(`${sandboxURL}/v1/payments/orders/${orderId}`, { headers: { authorization: basic } });
  expect(lookup.status).toBe(200);
  const { paymentKey } = (await lookup.json()) as { paymentKey: string };
  const deposit = await fetch(`${sandboxURL}/v1/sandbox/payments/${paymentKey}/deposit`, {
    method: 'POST',
    headers: { authorization: basic, 'sandbox-operator-token': OPERATOR_TOKEN },
  });
  expect(deposit.status, await deposit.text()).toBe(200);
}

test.describe('every method pays end to end', () => {
  for (const method of ['CARD', 'TOSSPAY', 'KAKAOPAY', 'NAVERPAY', 'TRANSFER', 'MOBILE_PHONE'] as const) {
    test(`${method}: chosen at checkout, preselected in the window, paid`, async ({ page }) => {
      const shop = new Shop(page);
      await shop.open();
      await shop.addToCart(MUG);
      await page.getByTestId(`pay-method-${method}`).check();
      await shop.checkout();
      await expect(page.getByTestId(`psp-pay-with-${method}`)).toBeChecked();
      await shop.approveInWindow();
      await shop.expectPaidOrder();
    });
  }

  test('virtual account: the shopper sees the account, the bank deposit arrives, the order turns PAID', async ({ page }) => {
    test.setTimeout(90_000);
    const shop = new Shop(page);
    await shop.open();
    await shop.addToCart(BEANS);
    await page.getByTestId('pay-method-VIRTUAL_ACCOUNT').check();
    await shop.checkout();
    await expect(page.getByTestId('psp-pay-with-VIRTUAL_ACCOUNT')).toBeChecked();
    await shop.approveInWindow();
    await page.waitForURL(/\/orders\/ord_/);
    await shop.expectOrderStatus('AWAITING_DEPOSIT');
    await expect(page.getByTestId('va-bank')).toHaveText('우리은행');
    await expect(page.getByTestId('va-account-number')).toHaveText(/^X\d{13}$/);
    await expect(page.getByTestId('va-amount')).toHaveText('₩18,000');
    await expect(page.getByTestId('va-due')).toContainText('KST');

    await depositAtTheBank(shop.orderIdFromUrl());
    // The sandbox POSTs DEPOSIT_CALLBACK to the app, which checks its secret, looks the payment
    // up and approves it; the order page polls while it awaits the deposit.
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'PAID', { timeout: 30_000 });
    await expect(page.getByTestId('virtual-account')).toHaveCount(0);
  });
});
