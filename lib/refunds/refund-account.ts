import { z } from 'zod';
import { bankName } from '@/lib/payments/banks';
import { decryptField, encryptField } from '@/lib/security/refund-account-cipher';

/**
 * Where the refund of a paid virtual account goes: Toss's `refundReceiveAccount` (reference §5.1),
 * required for those refunds only. `bank` is Toss's two-digit bank code.
 */
export const refundReceiveAccountSchema = z.strictObject({
  bank: z.string().regex(/^[0-9]{2}$/, 'must be a two-digit bank code (e.g. 20 for 우리은행)'),
  accountNumber: z.string().regex(/^[0-9]{6,20}$/, 'must be 6–20 digits, without dashes'),
  holderName: z.string().trim().min(1, 'is required').max(60),
});
export type RefundReceiveAccount = z.infer<typeof refundReceiveAccountSchema>;

/** Stored with the refund: encrypted, bound to the refund's id. */
export function sealRefundAccount(key: string, refundId: string, account: RefundReceiveAccount): string {
  return encryptField(key, JSON.stringify(account), refundId);
}

export function openRefundAccount(key: string, refundId: string, sealed: string): RefundReceiveAccount {
  return refundReceiveAccountSchema.parse(JSON.parse(decryptField(key, sealed, refundId)));
}

/** What people see: the bank, the last four digits, the holder's first character. */
export function maskRefundAccount(account: RefundReceiveAccount): string {
  const holder = [...account.holderName];
  return `${bankName(account.bank)} ${'*'.repeat(Math.max(account.accountNumber.length - 4, 0))}${account.accountNumber.slice(-4)} ${holder[0] ?? ''}${'*'.repeat(Math.max(holder.length - 1, 0))}`;
}
