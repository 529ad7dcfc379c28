import type { JournalLineInput } from './post-journal';

/**
 * Platform fee on an approved amount, rounded down so the merchant is never charged more than
 * the agreed rate. Integer arithmetic only.
 */
export function platformFee(amount: bigint, feeBps: number): bigint {
  return (amount * BigInt(feeBps)) / 10_000n;
}

/**
 * Approval (platform view): the PSP now owes us the amount, we owe it to the merchant, less our
 * fee, which moves from the merchant's payable to platform revenue.
 */
export function approvalLines(amount: bigint, fee: bigint): JournalLineInput[] {
  return [
    { account: 'PSP_RECEIVABLE', amount },
    { account: 'MERCHANT_PAYABLE', amount: -amount },
    { account: 'MERCHANT_PAYABLE', amount: fee },
    { account: 'PLATFORM_REVENUE', amount: -fee },
  ];
}
