import { expect, type Page } from '@playwright/test';

/** The shopper's side: storefront, PSP window, result pages. */
export class Shop {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/');
    await expect(this.page.getByTestId('product-card').first()).toBeVisible();
  }

  async addToCart(productId: string, times = 1) {
    const card = this.page.locator(`[data-testid="product-card"][data-product-id="${productId}"]`);
    for (let i = 0; i < times; i++) await card.getByTestId('add-to-cart').click();
  }

  /** Checkout: the order is created and the browser lands in the PSP's payment window. */
  async checkout() {
    await this.page.getByTestId('checkout-submit').click();
    await this.page.waitForURL(/\/psp\/window/);
  }

  async approveInWindow() {
    await this.page.getByTestId('psp-approve').click();
  }

  async declineInWindow() {
    await this.page.getByTestId('psp-decline').click();
  }

  async cancelInWindow() {
    await this.page.getByTestId('psp-cancel').click();
  }

  /** After approving: the success page confirms and forwards to the order page. */
  async expectOrderStatus(status: string) {
    await expect(this.page.getByTestId('order-status')).toHaveText(status);
  }

  orderIdFromUrl(): string {
    const m = /\/(?:orders|checkout)\/(ord_[0-9a-f]+)/.exec(this.page.url());
    if (!m) throw new Error(`no order id in ${this.page.url()}`);
    return m[1]!;
  }
}
