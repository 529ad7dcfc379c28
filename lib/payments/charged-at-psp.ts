import type { TossPayment } from '@/lib/psp/toss-client';
import { payMethodOf } from './pay-method';

const CHARGED_STATUSES = new Set(['DONE', 'PARTIAL_CANCELED', 'CANCELED']);

/**
 * Whether the PSP's record says it took the shopper's money (so our payment must be paid, with
 * the PSP's refunds). DONE, PARTIAL_CANCELED and CANCELED are charges, but for one case: Toss also
 * reports a virtual account called off before anything was paid into it as CANCELED. No money
 * moved then: its `approvedAt` is null (it is set by a deposit, and cleared again when the bank
 * takes a deposit back), and our payment rightly ended FAILURE. Reading that as a charge flagged
 * such payments for a person and made reconciliation report them.
 */
export function chargedAtPsp(psp: TossPayment): boolean {
  if (!CHARGED_STATUSES.has(psp.status)) return false;
  return !(psp.status === 'CANCELED' && payMethodOf(psp).method === 'VIRTUAL_ACCOUNT' && !psp.approvedAt);
}
