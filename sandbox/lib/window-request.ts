import { z } from 'zod';
import type { DbOrTx } from '../db/client';
import { MAX_VALID_HOURS } from './pay-methods';
import { findMerchantByClientKey, type PspMerchant } from './merchants';
import {
  amountSchema, currencySchema, describeIssues, orderIdSchema, orderNameSchema, redirectUrlSchema,
} from './validation';

/**
 * What the merchant's checkout sends to the payment window (the fields of Toss's
 * `requestPayment`, reference §1.3), as query parameters of the window page and as hidden fields
 * of its form. Every value arrives as a string from the browser.
 */
export const windowRequestSchema = z.object({
  clientKey: z
    .string({ error: (i) => (i.input === undefined ? 'clientKey is required' : 'clientKey must be a string') })
    .min(1, 'clientKey is required')
    .max(200, 'clientKey must be at most 200 characters'),
  orderId: orderIdSchema,
  orderName: orderNameSchema,
  amount: amountSchema,
  // An empty form field or query parameter means "not given".
  currency: z.preprocess((v) => (v === '' ? undefined : v), currencySchema),
  successUrl: redirectUrlSchema('successUrl'),
  failUrl: redirectUrlSchema('failUrl'),
  /**
   * The shop's name for the window to show (a platform holds the PSP contract; the shopper buys
   * from one of its shops). Optional; without it the window shows the PSP merchant's name.
   */
  shopName: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1).max(100).optional()),
  // Toss's method and, for a card, its easy-pay provider: they preselect the window's choice.
  method: blankIsAbsent(z.enum(['CARD', 'TRANSFER', 'MOBILE_PHONE', 'VIRTUAL_ACCOUNT'], { error: 'method must be CARD, TRANSFER, MOBILE_PHONE or VIRTUAL_ACCOUNT' }).optional()),
  easyPay: blankIsAbsent(z.enum(['TOSSPAY', 'KAKAOPAY', 'NAVERPAY'], { error: 'easyPay must be TOSSPAY, KAKAOPAY or NAVERPAY' }).optional()),
  // virtualAccount.validHours (reference §1.3): how long the issued account takes a deposit.
  validHours: blankIsAbsent(z.coerce.number({ error: 'validHours must be a whole number of hours' })
    .int('validHours must be a whole number of hours')
    .min(1, 'validHours must be at least 1')
    .max(MAX_VALID_HOURS, `validHours must be at most ${MAX_VALID_HOURS}`)
    .optional()),
  customerName: blankIsAbsent(z.string().max(100, 'customerName must be at most 100 characters').optional()),
});

/** An empty form field or query parameter means "not given". */
function blankIsAbsent<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => (v === '' ? undefined : v), schema);
}
export type WindowRequest = z.output<typeof windowRequestSchema>;
/** Raw, untrusted fields; validated by parseWindowRequest. */
export type WindowRequestInput = { [K in keyof z.input<typeof windowRequestSchema>]?: unknown };

export type ParsedWindowRequest =
  | { ok: true; merchant: PspMerchant; request: WindowRequest }
  | { ok: false; issues: string[]; merchant?: PspMerchant };

/**
 * Validates a window request and finds the PSP merchant its clientKey belongs to. successUrl and
 * failUrl must be on one of the merchant's registered origins (as Toss accepts only a merchant's
 * registered domains), or the window would redirect shoppers, with a fresh paymentKey, anywhere.
 */
export async function parseWindowRequest(db: DbOrTx, input: WindowRequestInput): Promise<ParsedWindowRequest> {
  const parsed = windowRequestSchema.safeParse(input);
  const clientKey = parsed.success ? parsed.data.clientKey : typeof input.clientKey === 'string' ? input.clientKey : '';
  const merchant = clientKey ? await findMerchantByClientKey(db, clientKey) : undefined;
  const issues = parsed.success ? [] : describeIssues(parsed.error);
  if (clientKey && !merchant) issues.unshift('clientKey does not belong to any merchant of this PSP sandbox');
  if (!parsed.success || !merchant) return { ok: false, issues, merchant };
  for (const field of ['successUrl', 'failUrl'] as const) {
    const origin = new URL(parsed.data[field]).origin;
    if (!merchant.redirectOrigins.includes(origin)) {
      issues.push(`${field} must be on one of the merchant's registered origins (${merchant.redirectOrigins.join(', ') || 'none registered'}); ${origin} is not`);
    }
  }
  if (issues.length > 0) return { ok: false, issues, merchant };
  return { ok: true, merchant, request: parsed.data };
}
