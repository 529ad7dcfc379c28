import { z } from 'zod';
import { PspError } from './errors';
import { webhookUrlSchema } from './merchants';
import { amountSchema, describeIssues, orderIdSchema, paymentKeySchema, wholeAmountSchema } from './validation';

/**
 * The API's request bodies and query strings. A request that does not match is refused with
 * 400 INVALID_REQUEST and a message naming each problem, never with a 500.
 */

export const confirmBodySchema = z.object(
  { paymentKey: paymentKeySchema, orderId: orderIdSchema, amount: amountSchema },
  { error: 'the body must be a JSON object with paymentKey, orderId and amount' },
);

/**
 * Where the refund of a paid virtual account goes (reference §5.1): required for those, ignored
 * for other methods. Toss validates it; a bad one is refused with Toss's refund-account codes.
 */
export const refundReceiveAccountSchema = z.object({
  bank: z.string().min(1).max(20),
  accountNumber: z.string().regex(/^[0-9]{1,20}$/),
  holderName: z.string().min(1).max(60),
});
export type RefundReceiveAccount = z.output<typeof refundReceiveAccountSchema>;

/** Toss's cancel body (reference §5.1); fields the sandbox has no use for are ignored. */
export const cancelBodySchema = z.object({
  cancelReason: z
    .string({ error: (i) => (i.input === undefined ? 'cancelReason is required' : 'cancelReason must be a string') })
    .refine((s) => s.trim().length > 0, 'cancelReason must not be empty')
    .refine((s) => s.length <= 200, 'cancelReason must be at most 200 characters'),
  // null is refused rather than read as "omitted": a client bug that sends null for a partial
  // cancel must not cancel the whole payment.
  cancelAmount: wholeAmountSchema('cancelAmount').optional(),
  refundableAmount: wholeAmountSchema('refundableAmount', { allowZero: true }).optional(),
  currency: z.literal('KRW', { error: 'currency must be KRW (the only currency of sandbox payments)' }).optional(),
  taxFreeAmount: z.literal(0, { error: 'taxFreeAmount must be 0: sandbox payments have no tax-free part' }).optional(),
  // Checked by cancelPayment, which knows whether the payment needs it (Toss answers its own codes).
  refundReceiveAccount: z.unknown().optional(),
}, { error: 'the body must be a JSON object with cancelReason (and optionally cancelAmount, refundableAmount, currency)' });

/** The operator's deposit into a virtual account (as the bank would); the body is optional. */
export const depositBodySchema = z.object({
  depositorName: z.string().min(1).max(60).optional(),
}, { error: 'the body must be a JSON object (optionally with depositorName)' });

/** The sandbox's webhook registration (Toss: the developer center's webhook page). */
export const webhookBodySchema = z.object(
  { url: webhookUrlSchema },
  { error: 'the body must be a JSON object with url' },
);

/** Parses a JSON body against a schema; throws 400 INVALID_REQUEST naming each problem. */
export function parseJsonBody<S extends z.ZodType>(text: string, schema: S, example: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PspError('INVALID_REQUEST', `Invalid request: the body must be JSON, e.g. ${example}.`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new PspError('INVALID_REQUEST', `Invalid request: ${describeIssues(parsed.error).join('; ')}.`);
  return parsed.data;
}
