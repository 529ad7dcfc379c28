import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client';
import { pspPayments } from '../db/schema';
import { type Clock, kstStamp, systemClock } from './clock';
import { tossErrorMessage } from './errors';
import { newMaskedCardNumber, newPaymentKey, newPaymentSecret, newVirtualAccountNumber } from './keys';
import { DEFAULT_VALID_HOURS, PAY_WITH, VIRTUAL_ACCOUNT_BANK_CODE, payWithSchema, preselected } from './pay-methods';
import { parseWindowRequest, type WindowRequest, type WindowRequestInput } from './window-request';

/** What the buyer chose in the sandbox's payment window. */
export const windowActionSchema = z.enum(['approve', 'decline', 'cancel'], {
  error: 'action must be approve, decline or cancel',
});
export type WindowAction = z.output<typeof windowActionSchema>;

export type AuthorizeWindowInput = WindowRequestInput & { action?: unknown; payWith?: unknown };

/** The window request cannot be answered with a redirect (invalid fields, unknown clientKey, …). */
export class InvalidWindowRequestError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid payment window request: ${issues.join('; ')}`);
    this.name = 'InvalidWindowRequestError';
  }
}

/** failUrl codes of the window (reference §1.5); messages paraphrase Toss's. */
const WINDOW_FAILURES = {
  REJECT_CARD_COMPANY: '카드사에서 결제를 거절했습니다.',
  PAY_PROCESS_CANCELED: '사용자에 의해 결제가 취소되었습니다.',
  DUPLICATED_ORDER_ID: tossErrorMessage('DUPLICATED_ORDER_ID'),
} as const;

/**
 * The buyer's decision in the payment window (Toss's "authentication" step, reference §1.1);
 * returns the URL to send the browser to, with Toss's query parameters (reference §1.5):
 *   approve → successUrl?paymentType=NORMAL&orderId&paymentKey&amount, after creating the payment
 *             IN_PROGRESS with a new paymentKey (the merchant must confirm it within 10 minutes);
 *   decline → failUrl?code=REJECT_CARD_COMPANY&message&orderId;
 *   cancel  → failUrl?code=PAY_PROCESS_CANCELED&message&orderId;
 *   approve of an order already paid → failUrl?code=DUPLICATED_ORDER_ID&message&orderId.
 * decline and cancel create no payment. Throws InvalidWindowRequestError for unusable input.
 */
export async function authorizePaymentWindow(db: DbOrTx, input: AuthorizeWindowInput, now: Clock = systemClock): Promise<string> {
  const parsed = await parseWindowRequest(db, input);
  const action = windowActionSchema.safeParse(input.action);
  // No choice sent (an older form, a test): what the request preselected.
  const payWith = payWithSchema.safeParse(input.payWith ?? (parsed.ok ? preselected(parsed.request.method, parsed.request.easyPay) : 'CARD'));
  if (!parsed.ok || !action.success || !payWith.success) {
    const issues = parsed.ok ? [] : parsed.issues;
    if (!action.success) issues.push(action.error.issues[0]?.message ?? 'action is invalid');
    if (!payWith.success) issues.push(payWith.error.issues[0]?.message ?? 'payWith is invalid');
    throw new InvalidWindowRequestError(issues);
  }
  const { merchant, request } = parsed;
  const choice = PAY_WITH[payWith.data];

  if (action.data === 'decline') return failUrl(request, 'REJECT_CARD_COMPANY');
  if (action.data === 'cancel') return failUrl(request, 'PAY_PROCESS_CANCELED');

  // A paid order gets no new attempt. (Two attempts racing past this check can both exist, but
  // only one can be confirmed: see the unique index psp_payments_one_paid_per_order.)
  const [paid] = await db.select({ paymentKey: pspPayments.paymentKey }).from(pspPayments)
    .where(and(
      eq(pspPayments.mId, merchant.mId),
      eq(pspPayments.orderId, request.orderId),
      inArray(pspPayments.status, ['WAITING_FOR_DEPOSIT', 'DONE', 'CANCELED', 'PARTIAL_CANCELED']),
    ))
    .limit(1);
  if (paid) return failUrl(request, 'DUPLICATED_ORDER_ID');

  const at = now();
  // A virtual account is issued here, in the window (as Toss's window shows the buyer the account
  // to pay into); its secret is part of the payment from the start and shown from confirm on.
  const virtualAccount = choice.method === 'VIRTUAL_ACCOUNT'
    ? {
        vaAccountNumber: newVirtualAccountNumber(),
        vaBankCode: VIRTUAL_ACCOUNT_BANK_CODE,
        vaCustomerName: request.customerName ?? '구매자',
        vaDueAt: new Date(at.getTime() + (request.validHours ?? DEFAULT_VALID_HOURS) * 3_600_000),
        secret: newPaymentSecret(),
      }
    : {};
  for (let attempt = 0; attempt < 5; attempt++) {
    const [created] = await db.insert(pspPayments).values({
      paymentKey: newPaymentKey(kstStamp(at)),
      mId: merchant.mId,
      orderId: request.orderId,
      orderName: request.orderName,
      amount: request.amount,
      balanceAmount: request.amount,
      currency: request.currency,
      status: 'IN_PROGRESS',
      cardNumber: newMaskedCardNumber(),
      method: choice.method,
      easyPayProvider: choice.easyPayProvider,
      ...virtualAccount,
      requestedAt: at,
      authenticatedAt: at,
    }).onConflictDoNothing({ target: pspPayments.paymentKey }).returning({ paymentKey: pspPayments.paymentKey });
    if (!created) continue; // the random part collided with an existing key in the same second
    return withQuery(request.successUrl, {
      paymentType: 'NORMAL',
      orderId: request.orderId,
      paymentKey: created.paymentKey,
      amount: String(request.amount),
    });
  }
  throw new Error('could not find an unused paymentKey after 5 attempts');
}

function failUrl(request: WindowRequest, code: keyof typeof WINDOW_FAILURES): string {
  return withQuery(request.failUrl, { code, message: WINDOW_FAILURES[code], orderId: request.orderId });
}

/** Adds parameters to a URL, keeping the query it already has (our names replace same-named ones). */
function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}
