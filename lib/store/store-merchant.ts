/**
 * The storefront sells the demo merchant's catalogue. Login and per-merchant dashboards come
 * with merchant auth; until then this is the one place that decides whose data a page sees.
 */
export const DEMO_MERCHANT_ID = 'mer_demo';

export function storeMerchantId(): string {
  return process.env.STORE_MERCHANT_ID ?? DEMO_MERCHANT_ID;
}

/** The merchant whose dashboard is shown. Replaced by the session's merchant when login lands. */
export function currentMerchantId(): string {
  return storeMerchantId();
}
