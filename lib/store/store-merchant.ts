/** The storefront sells one merchant's catalogue (the demo merchant unless STORE_MERCHANT_ID says otherwise). */
export const DEMO_MERCHANT_ID = 'mer_demo';

export function storeMerchantId(): string {
  return process.env.STORE_MERCHANT_ID ?? DEMO_MERCHANT_ID;
}
