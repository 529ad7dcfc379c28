/**
 * What a Toss confirm error means for our payment. Toss publishes no "retryable" flag; this
 * follows its error tables (reference §4.6). Anything not known to be final is UNKNOWN: the
 * recovery path asks the PSP later, which is safe; guessing FAILURE could lose a charged payment.
 */
export type ConfirmErrorMeaning = 'declined' | 'already-processed' | 'unknown';

const DECLINED = new Set([
  'REJECT_CARD_PAYMENT', 'REJECT_CARD_COMPANY', 'INVALID_REJECT_CARD', 'INVALID_CARD_EXPIRATION',
  'INVALID_STOPPED_CARD', 'INVALID_CARD_LOST_OR_STOLEN', 'INVALID_CARD_NUMBER', 'EXCEED_MAX_AMOUNT',
  'EXCEED_MAX_DAILY_PAYMENT_COUNT', 'EXCEED_MAX_PAYMENT_AMOUNT', 'EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT',
  'EXCEED_MAX_ONE_DAY_WITHDRAW_AMOUNT', 'EXCEED_MAX_ONE_TIME_WITHDRAW_AMOUNT', 'BELOW_MINIMUM_AMOUNT',
  'NOT_ALLOWED_POINT_USE', 'EXCEED_MAX_CARD_INSTALLMENT_PLAN', 'NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT',
  'INVALID_CARD_INSTALLMENT_PLAN', 'NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN', 'REJECT_ACCOUNT_PAYMENT',
  'REJECT_TOSSPAY_INVALID_ACCOUNT', 'EXCEED_MAX_AUTH_COUNT', 'EXCEED_MAX_ONE_DAY_AMOUNT', 'NOT_AVAILABLE_BANK',
  'INVALID_PASSWORD', 'FDS_ERROR', 'UNKNOWN_PAYMENT_ERROR',
  // The authentication session is gone (10-minute window): the shopper must start again.
  'NOT_FOUND_PAYMENT_SESSION',
]);

export function meaningOfConfirmError(code: string): ConfirmErrorMeaning {
  if (code === 'ALREADY_PROCESSED_PAYMENT') return 'already-processed';
  return DECLINED.has(code) ? 'declined' : 'unknown';
}
