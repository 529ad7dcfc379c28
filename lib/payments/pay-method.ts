import type { PayMethod } from '@/db/schema';
import type { TossPayment } from '@/lib/psp/toss-client';

/**
 * Our name for the method of a PSP payment. Toss reports `method` in Korean by default (카드,
 * 간편결제, 계좌이체, 휴대폰, 가상계좌); its English values are unconfirmed, so the enum-like
 * spellings are read too. Unknown values (new methods ship without a version bump) give null.
 */
const METHODS: Record<string, PayMethod> = {
  카드: 'CARD', CARD: 'CARD',
  간편결제: 'EASY_PAY', EASY_PAY: 'EASY_PAY',
  계좌이체: 'TRANSFER', TRANSFER: 'TRANSFER',
  휴대폰: 'MOBILE_PHONE', MOBILE_PHONE: 'MOBILE_PHONE',
  가상계좌: 'VIRTUAL_ACCOUNT', VIRTUAL_ACCOUNT: 'VIRTUAL_ACCOUNT',
};

export function payMethodOf(psp: TossPayment): { method?: PayMethod; easyPayProvider: string | null } {
  const method = (psp.method && METHODS[psp.method]) || (psp.virtualAccount ? 'VIRTUAL_ACCOUNT' : undefined);
  return { method, easyPayProvider: psp.easyPay?.provider ?? null };
}

/** The values of db/schema's pay_method, for code that runs in the browser (it must not import the schema). */
export const PAY_METHODS = ['CARD', 'EASY_PAY', 'TRANSFER', 'MOBILE_PHONE', 'VIRTUAL_ACCOUNT'] as const satisfies readonly PayMethod[];

/** What the checkout may ask the PSP's window to preselect (Toss's requestPayment `method`, `easyPay`). */
export const CHECKOUT_METHODS = ['CARD', 'TOSSPAY', 'KAKAOPAY', 'NAVERPAY', 'TRANSFER', 'MOBILE_PHONE', 'VIRTUAL_ACCOUNT'] as const;
export type CheckoutMethod = (typeof CHECKOUT_METHODS)[number];

/** The window request fields for a checkout choice: easy pay is a card paid through a provider. */
export function windowMethodFields(choice: CheckoutMethod): { method: string; easyPay?: string } {
  if (choice === 'TOSSPAY' || choice === 'KAKAOPAY' || choice === 'NAVERPAY') return { method: 'CARD', easyPay: choice };
  return { method: choice };
}

/**
 * A Toss date-time as an instant. Virtual-account due dates are documented without an offset and
 * observed with `+09:00` (reference §0): without one it is Korean time.
 */
export function parseTossDateTime(value: string): Date | null {
  const withOffset = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}+09:00`;
  const at = new Date(withOffset);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The failure code of a virtual account whose due date passed without a deposit. */
export const VIRTUAL_ACCOUNT_EXPIRED = 'VIRTUAL_ACCOUNT_EXPIRED';
