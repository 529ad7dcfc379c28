import { expect, type Page } from '@playwright/test';

export class Dashboard {
  constructor(readonly page: Page) {}

  async openOrder(orderId: string) {
    await this.page.goto('/dashboard');
    await this.page.locator(`[data-testid="order-row"][data-order-id="${orderId}"] a`).click();
    await expect(this.page).toHaveURL(new RegExp(`/dashboard/orders/${orderId}$`));
  }

  journalLines() {
    return this.page.getByTestId('journal-line');
  }

  timelineEvents(event: string) {
    return this.page.getByTestId('timeline-entry').filter({ hasText: event });
  }

  async trialBalance(): Promise<string> {
    await this.page.goto('/dashboard/ledger');
    return (await this.page.getByTestId('trial-balance').textContent()) ?? '';
  }
}
