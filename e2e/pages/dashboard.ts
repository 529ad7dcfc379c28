import { expect, type Page } from '@playwright/test';

export const COFFEE = { email: 'coffee@demo.won', password: 'coffee-demo-pass' };
export const TEA = { email: 'tea@demo.won', password: 'tea-demo-pass-2' };

export class Dashboard {
  constructor(readonly page: Page) {}

  /** Signs in as a demo merchant (db/seed.ts). */
  async signIn(login: { email: string; password: string } = COFFEE) {
    await this.page.goto('/login');
    await this.page.getByTestId('login-email').fill(login.email);
    await this.page.getByTestId('login-password').fill(login.password);
    await this.page.getByTestId('login-submit').click();
    await expect(this.page).toHaveURL(/\/dashboard$/, { timeout: 30_000 }); // a password hash and a first render, on a busy CI machine
  }

  async openOrder(orderId: string) {
    await this.page.goto('/dashboard/orders');
    await this.page.locator(`[data-testid="order-row"][data-order-id="${orderId}"] a`).click();
    await expect(this.page).toHaveURL(new RegExp(`/dashboard/orders/${orderId}$`));
  }

  journalLines(account?: string) {
    return account ? this.page.locator(`[data-testid="journal-line"][data-account="${account}"]`) : this.page.getByTestId('journal-line');
  }

  /** Timeline entries of one event (the page shows it in words; the entry keeps the code). */
  timelineEvents(event: string) {
    return this.page.locator(`[data-testid="timeline-entry"][data-event="${event}"]`);
  }

  /** The trial balance in won, as a number's text ("0" when the books balance). */
  async trialBalance(): Promise<string> {
    await this.page.goto('/dashboard/ledger');
    return (await this.page.getByTestId('trial-balance').getAttribute('data-value')) ?? '';
  }
}
