import type { TossPayment } from './toss-client';

/**
 * Whether the PSP's record says the shopper's money was taken (and may since have been given
 * back in part or whole): DONE, PARTIAL_CANCELED, CANCELED. Except a virtual account cancelled
 * before any deposit: Toss shows it CANCELED with its balance at 0, like a refunded payment, but
 * no money ever moved; only the missing `approvedAt` (set by the deposit) tells them apart.
 */
export function chargedAtPsp(truth: Pick<TossPayment, 'status' | 'approvedAt' | 'virtualAccount'>): boolean {
  if (truth.status === 'CANCELED' && truth.virtualAccount && !truth.approvedAt) return false;
  return truth.status === 'DONE' || truth.status === 'PARTIAL_CANCELED' || truth.status === 'CANCELED';
}
