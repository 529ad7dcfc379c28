import { z } from 'zod';
import type { PspPayMethod } from '../db/schema';

/**
 * What the buyer can pay with in the sandbox's window, as Toss's window offers it (reference
 * §1.3): a card, a card through an easy-pay provider, an account transfer, a mobile phone, or a
 * virtual account. One choice is one radio button of the window form (`payWith`).
 */
export const PAY_WITH = {
  CARD: { method: 'CARD', easyPayProvider: null, label: '신용·체크카드' },
  TOSSPAY: { method: 'CARD', easyPayProvider: '토스페이', label: '토스페이' },
  KAKAOPAY: { method: 'CARD', easyPayProvider: '카카오페이', label: '카카오페이' },
  NAVERPAY: { method: 'CARD', easyPayProvider: '네이버페이', label: '네이버페이' },
  TRANSFER: { method: 'TRANSFER', easyPayProvider: null, label: '계좌이체' },
  MOBILE_PHONE: { method: 'MOBILE_PHONE', easyPayProvider: null, label: '휴대폰' },
  VIRTUAL_ACCOUNT: { method: 'VIRTUAL_ACCOUNT', easyPayProvider: null, label: '가상계좌' },
} as const satisfies Record<string, { method: PspPayMethod; easyPayProvider: string | null; label: string }>;
export type PayWith = keyof typeof PAY_WITH;

export const payWithSchema = z.enum(Object.keys(PAY_WITH) as [PayWith, ...PayWith[]], {
  error: `payWith must be one of ${Object.keys(PAY_WITH).join(', ')}`,
});

/**
 * The window's preselected choice from Toss's `requestPayment` fields: `method` (CARD, TRANSFER,
 * MOBILE_PHONE, VIRTUAL_ACCOUNT) and, for a card, `easyPay` (TOSSPAY, KAKAOPAY, NAVERPAY).
 * Anything else preselects a card.
 */
export function preselected(method: unknown, easyPay: unknown): PayWith {
  if (method === 'CARD' && (easyPay === 'TOSSPAY' || easyPay === 'KAKAOPAY' || easyPay === 'NAVERPAY')) return easyPay;
  if (method === 'TRANSFER' || method === 'MOBILE_PHONE' || method === 'VIRTUAL_ACCOUNT') return method;
  return 'CARD';
}

/** Toss's `method` field of the Payment object (Korean by default, reference §2.1). */
export function methodLabel(method: PspPayMethod, easyPayProvider: string | null): string {
  if (easyPayProvider) return '간편결제';
  return { CARD: '카드', TRANSFER: '계좌이체', MOBILE_PHONE: '휴대폰', VIRTUAL_ACCOUNT: '가상계좌' }[method];
}

/** The bank that issues the sandbox's virtual accounts: 우리은행, Toss's bank code `20`. */
export const VIRTUAL_ACCOUNT_BANK_CODE = '20';

/** The bank an account transfer comes from: 신한은행, Toss's bank code `88`. */
export const TRANSFER_BANK_CODE = '88';

/**
 * How long an issued account takes deposits when the request gives no `validHours`. Toss's own
 * default is not documented (reference §1.3 gives only the maximum, 2160 hours): 72 is ours.
 */
export const DEFAULT_VALID_HOURS = 72;
export const MAX_VALID_HOURS = 2160;
