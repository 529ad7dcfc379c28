'use server';

import { revalidatePath } from 'next/cache';
import { getLocale, getTranslations } from 'next-intl/server';
import { z } from 'zod';
import { db } from '@/db';
import { AppError } from '@/lib/errors';
import { formatMoney } from '@/lib/format';
import { apiErrorText, pspErrorText } from '@/lib/i18n/words';
import { pspClient } from '@/lib/psp/server-client';
import { cancelVirtualAccount } from '@/lib/refunds/cancel-virtual-account';
import { refundReceiveAccountSchema } from '@/lib/refunds/refund-account';
import { requestRefund } from '@/lib/refunds/request-refund';
import { requireMerchantAction } from '@/lib/auth/merchant-context';

export interface RefundFormState {
  ok: boolean;
  message: string;
}

const paymentFields = {
  paymentId: z.string().regex(/^pay_[0-9a-f]{32}$/),
  orderId: z.string().min(6).max(64),
  reason: z.string().trim().min(1, 'say why').max(200),
};
const formSchema = z.object({
  ...paymentFields,
  amount: z.coerce.number().int('whole won only').positive('must be more than 0').max(10_000_000_000),
  /** Generated when the form renders: a double submit is the same refund. */
  idempotencyKey: z.string().min(8).max(255),
  /** A virtual-account payment's money goes back to the shopper's bank account (the form asks only then). */
  bank: z.string().optional(),
  accountNumber: z.string().optional(),
  holderName: z.string().optional(),
}).transform(({ bank, accountNumber, holderName, ...rest }, ctx) => {
  if (bank === undefined && accountNumber === undefined && holderName === undefined) return { ...rest, refundReceiveAccount: undefined };
  const account = refundReceiveAccountSchema.safeParse({ bank, accountNumber: accountNumber?.replace(/[\s-]/g, ''), holderName });
  if (!account.success) {
    for (const issue of account.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return { ...rest, refundReceiveAccount: account.data };
});

/** A refusal of ours (4xx) as the form's answer, in the reader's words; anything else is rethrown. */
async function refused(err: unknown): Promise<RefundFormState> {
  if (!(err instanceof AppError) || err.status >= 500) throw err;
  return { ok: false, message: apiErrorText(await getLocale(), { code: err.code, message: err.message }) };
}

/** Refund from the dashboard (a server action: Next checks its origin, so it is CSRF-safe). */
export async function refundAction(_prev: RefundFormState, formData: FormData): Promise<RefundFormState> {
  const merchant = await requireMerchantAction();
  const [t, locale] = await Promise.all([getTranslations('refundForm'), getLocale()]);
  const parsed = formSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { ok: false, message: t('invalid', { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }) };
  const { paymentId, orderId, amount, reason, idempotencyKey, refundReceiveAccount } = parsed.data;
  try {
    const { refund } = await requestRefund(db(), pspClient(), { merchantId: merchant.merchantId, paymentId, idempotencyKey, request: { amount, reason, refundReceiveAccount }, requestedBy: merchant.actor });
    revalidatePath(`/dashboard/orders/${orderId}`);
    if (refund.status === 'SUCCEEDED') return { ok: true, message: t('succeeded', { amount: formatMoney(refund.amount, refund.currency) }) };
    if (refund.status === 'FAILED') return { ok: false, message: t('refused', { message: pspErrorText(locale, refund.failure?.code ?? '', refund.failure?.message) }) };
    return { ok: true, message: t('pendingResult') };
  } catch (err) {
    return refused(err);
  }
}

const cancelSchema = z.object(paymentFields);

/**
 * Calls off a virtual account before the shopper paid into it (the PSP cancels it whole; nothing
 * was charged, so nothing is refunded). Its Idempotency-Key is the payment's: a double submit
 * cancels once.
 */
export async function cancelVirtualAccountAction(_prev: RefundFormState, formData: FormData): Promise<RefundFormState> {
  const merchant = await requireMerchantAction();
  const t = await getTranslations('cancelVirtualAccount');
  const parsed = cancelSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { ok: false, message: t('invalid', { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }) };
  const { paymentId, orderId, reason } = parsed.data;
  try {
    await cancelVirtualAccount(db(), pspClient(), { merchantId: merchant.merchantId, paymentId, reason, requestedBy: merchant.actor });
    revalidatePath(`/dashboard/orders/${orderId}`);
    return { ok: true, message: t('done') };
  } catch (err) {
    return refused(err);
  }
}
