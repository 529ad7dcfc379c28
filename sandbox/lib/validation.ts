import { z } from 'zod';

/**
 * Field rules shared by the payment window and the API (reference §1.3, §1.4, §2). Messages
 * name the field and the rule: they end up in INVALID_REQUEST answers and on the window page.
 */

/** Toss's core API rule: 6–64 of A–Z a–z 0–9 - _ (the JS SDK also allows `=`; the API does not). */
export const orderIdSchema = z
  .string({ error: (i) => (i.input === undefined ? 'orderId is required' : 'orderId must be a string') })
  .regex(/^[A-Za-z0-9_-]{6,64}$/, 'orderId must be 6–64 characters of A–Z, a–z, 0–9, - and _');

/**
 * A whole amount of money in a field called `name`. JSON numbers and numeric strings are both
 * accepted: Toss's official samples pass the amount from the successUrl query string, i.e. as a
 * string like "50000". Zero is allowed only where the field can be zero (a remaining balance).
 */
export function wholeAmountSchema(name: string, opts: { allowZero?: boolean } = {}) {
  const whole = z.number()
    .int(`${name} must be a whole number (KRW has no minor unit)`)
    .max(Number.MAX_SAFE_INTEGER, `${name} is too large`);
  return z
    .union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)], {
      error: (i) => (i.input === undefined ? `${name} is required` : `${name} must be a number or a string of digits, such as 50000 or "50000"`),
    })
    .pipe(opts.allowZero ? whole.nonnegative(`${name} must not be negative`) : whole.positive(`${name} must be greater than 0`));
}

/** A positive whole amount. */
export const amountSchema = wholeAmountSchema('amount');

export const paymentKeySchema = z
  .string({ error: (i) => (i.input === undefined ? 'paymentKey is required' : 'paymentKey must be a string') })
  .min(1, 'paymentKey must not be empty')
  .max(200, 'paymentKey must be at most 200 characters');

export const orderNameSchema = z
  .string({ error: (i) => (i.input === undefined ? 'orderName is required' : 'orderName must be a string') })
  .trim()
  .min(1, 'orderName must not be empty')
  .max(100, 'orderName must be at most 100 characters');

/** Normal payments support KRW only (reference §1.3). */
export const currencySchema = z
  .literal('KRW', { error: 'currency must be KRW (the only currency of normal payments)' })
  .default('KRW');

export const redirectUrlSchema = (name: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    }, `${name} must be an absolute http(s) URL, including the origin`);

/** One line per problem, `field: rule`, for INVALID_REQUEST messages and the window page. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const field = i.path.join('.');
    // Our messages already name the field; zod's generic ones (e.g. for a non-object body) do not.
    return field && !i.message.startsWith(field) ? `${field}: ${i.message}` : i.message;
  });
}
