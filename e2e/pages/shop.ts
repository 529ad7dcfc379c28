import { expect, type Page } from '@playwright/test';

/** The demo catalogue seeded by db/seed.ts. */
export const BEANS = 'prd_demo_beans'; // ₩18,000
export const DRIPPER = 'prd_demo_dripper'; // ₩32,000
export const FILTERS = 'prd_demo_filters'; // ₩4,500
export const MUG = 'prd_demo_mug'; // ₩12,000
export const KETTLE = 'prd_demo_kettle'; // ₩89,000

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
    await this.page.waitForURL(/\/window\?/);
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

  /** The order's status as the page holds it (the words differ by language; the code does not). */
  async expectOrderStatus(status: string) {
    await expect(this.page.getByTestId('order-status')).toHaveAttribute('data-status', status);
  }

  /** After approving: the success page confirms and forwards to the paid order; its id. */
  async expectPaidOrder(): Promise<string> {
    await this.page.waitForURL(/\/orders\/ord_/);
    await this.expectOrderStatus('PAID');
    return this.orderIdFromUrl();
  }

  /** The whole happy path for one product: cart, checkout, approve, paid. Returns the order id. */
  async buy(productId: string, quantity = 1): Promise<string> {
    await this.open();
    await this.addToCart(productId, quantity);
    await this.checkout();
    await this.approveInWindow();
    return this.expectPaidOrder();
  }

  orderIdFromUrl(): string {
    const m = /\/(?:orders|checkout)\/(ord_[0-9a-f]+)/.exec(this.page.url());
    if (!m) throw new Error(`no order id in ${this.page.url()}`);
    return m[1]!;
  }
}
