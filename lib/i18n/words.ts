import { createTranslator } from 'next-intl';
import { formatMoney } from '@/lib/format';
import { VIRTUAL_ACCOUNT_EXPIRED } from '@/lib/payments/pay-method';
import type { ReconciliationReason } from '@/db/schema';
import type { Locale } from './locale';
import { MESSAGES, type Messages } from './messages';

/** Groups of messages that name a value the database or the PSP holds as a code. */
export type WordGroup = 'orderStatus' | 'paymentStatus' | 'refundStatus' | 'payMethod' | 'paymentEvent' | 'actor' | 'journalKind' | 'account' | 'reconClass' | 'reconTrigger' | 'auditAction' | 'pspStatus';

/** A code nobody wrote words for yet, made readable rather than shown as a raw enum. */
const readable = (code: string) => code.toLowerCase().replace(/_/g, ' ');

/**
 * The words for a stored code (a status, an event, an account…) in the reader's language. People
 * never see the raw enum: an unknown value (a newer code than these messages) is made readable.
 */
export function wordFor(locale: Locale, group: WordGroup, code: string): string {
  const words = MESSAGES[locale][group] as Record<string, string>;
  return words[code] ?? readable(code);
}

/**
 * What to tell a person about a PSP error code: our own wording when we know the code, else the
 * PSP's message (Toss writes it for buyers, in Korean), else the code made readable.
 */
export function pspErrorText(locale: Locale, code: string, pspMessage?: string | null): string {
  const ours = (MESSAGES[locale].pspError as Record<string, string>)[code];
  return ours ?? (pspMessage || readable(code));
}

/** What to tell a shopper about an error of our API: our wording by its code, else its message. */
export function apiErrorText(locale: Locale, error: { code?: string; message: string }): string {
  const ours = error.code ? (MESSAGES[locale].apiError as Record<string, string>)[error.code] : undefined;
  return ours ?? error.message;
}

// One translator per language, not per item: a reconciliation run words thousands of items.
const reasonTranslators = new Map<Locale, ReturnType<typeof reasonTranslator>>();
const reasonTranslator = (locale: Locale) => createTranslator({ locale, messages: MESSAGES[locale], namespace: 'reconciliation.reasons' });

/** Why a reconciliation item got its verdict, in the reader's words: money formatted, statuses named. */
export function reconReasonText(locale: Locale, reason: ReconciliationReason): string {
  let t = reasonTranslators.get(locale);
  if (!t) reasonTranslators.set(locale, (t = reasonTranslator(locale)));
  const values: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(reason)) {
    if (key === 'code' || key === 'currency') continue;
    if (key === 'pspAmount' || key === 'ourAmount') values[key] = formatMoney(value as number, 'currency' in reason ? reason.currency : 'KRW');
    else if (key === 'ourStatus') values[key] = wordFor(locale, 'paymentStatus', value as string);
    else if (key === 'pspStatus') values[key] = wordFor(locale, 'pspStatus', value as string);
    else values[key] = value as string | number;
  }
  return t(reason.code, values);
}

type Headline = keyof Messages['order']['headline'];

/** Failure codes that mean the shopper walked away, not that anyone refused the payment. */
export const SHOPPER_CANCEL_CODES: readonly string[] = ['PAY_PROCESS_CANCELED'];
/** The window timed out, or a virtual account's due date passed without a deposit. */
export const TIMEOUT_CODES: readonly string[] = ['PAYMENT_WINDOW_EXPIRED', 'EXPIRED_PAYMENT', 'NOT_FOUND_PAYMENT_SESSION', VIRTUAL_ACCOUNT_EXPIRED];

/**
 * The headline a shopper reads on the order page: the order's status, told apart by why a failed
 * payment failed (cancelled by the shopper, timed out, or refused).
 */
export function shopperHeadline(order: { status: string; payment: { failure: { code: string } | null } | null }): Headline {
  if (order.status === 'PAYMENT_FAILED') {
    const code = order.payment?.failure?.code ?? '';
    if (SHOPPER_CANCEL_CODES.includes(code)) return 'CANCELED';
    if (TIMEOUT_CODES.includes(code)) return 'EXPIRED';
  }
  return order.status as Headline;
}

/** Orders whose money was taken: nothing a shopper reads about them may say "nothing was charged". */
export function isPaidStatus(status: string): boolean {
  return status === 'PAID' || status === 'PARTIALLY_REFUNDED' || status === 'REFUNDED';
}
