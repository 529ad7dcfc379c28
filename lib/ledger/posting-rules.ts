import type { JournalLineInput } from './post-journal';

/**
 * Platform fee on an approved amount, rounded down so the merchant is never charged more than
 * the agreed rate. Integer arithmetic only.
 */
export function platformFee(amount: bigint, feeBps: number): bigint {
  return (amount * BigInt(feeBps)) / 10_000n;
}

/** `platformFee` in SQL, for statements that resolve the merchant's rate themselves (bigint
 *  division truncates as BigInt's does; both operands are non-negative). */
export const platformFeeSql = (amount: string, feeBps: string) => `((${amount})::bigint * (${feeBps})::bigint) / 10000`;

/**
 * A rule's lines as coefficients of (amount, fee): every rule here is linear in both, so a
 * statement that learns the fee only inside the database books `amount·a + fee·f` per line and
 * the rule itself stays in this file.
 */
export function linesAsCoefficients(rule: (amount: bigint, fee: bigint) => JournalLineInput[]): { account: JournalLineInput['account']; perAmount: bigint; perFee: bigint }[] {
  const a = rule(1n, 0n);
  const f = rule(0n, 1n);
  return a.map((l, i) => ({ account: l.account, perAmount: l.amount, perFee: f[i]!.amount }));
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

/**
 * Refund: reverses the approved amount between PSP receivable and merchant payable. The platform
 * fee is not returned (the merchant bears it), so a fully refunded payment leaves the fee owed.
 */
export function refundLines(amount: bigint): JournalLineInput[] {
  return [
    { account: 'MERCHANT_PAYABLE', amount },
    { account: 'PSP_RECEIVABLE', amount: -amount },
  ];
}

/**
 * PSP settlement of one transaction: the receivable becomes cash, less the PSP's fee (an
 * expense). Cancels settle with negative amounts, which reverses the same lines.
 */
export function settlementLines(amount: bigint, fee: bigint): JournalLineInput[] {
  return [
    { account: 'CASH', amount: amount - fee },
    { account: 'PSP_FEE_EXPENSE', amount: fee },
    { account: 'PSP_RECEIVABLE', amount: -amount },
  ];
}
