'use server';

import { revalidatePath } from 'next/cache';
import { getLocale, getTranslations } from 'next-intl/server';
import { z } from 'zod';
import { db } from '@/db';
import { AppError } from '@/lib/errors';
import { formatMoney } from '@/lib/format';
import { pspErrorText } from '@/lib/i18n/words';
import { pspClient } from '@/lib/psp/server-client';
import { requestRefund } from '@/lib/refunds/request-refund';
import { requireMerchantAction } from '@/lib/auth/merchant-context';

export interface RefundFormState {
  ok: boolean;
  message: string;
}

const formSchema = z.object({
  paymentId: z.string().regex(/^pay_[0-9a-f]{32}$/),
  orderId: z.string().min(6).max(64),
  amount: z.coerce.number().int('whole won only').positive('must be more than 0').max(10_000_000_000),
  reason: z.string().trim().min(1, 'say why').max(200),
  /** Generated when the form renders: a double submit is the same refund. */
  idempotencyKey: z.string().min(8).max(255),
});

/** Refund from the dashboard (a server action: Next checks its origin, so it is CSRF-safe). */
export async function refundAction(_prev: RefundFormState, formData: FormData): Promise<RefundFormState> {
  const merchant = await requireMerchantAction();
  const [t, locale] = await Promise.all([getTranslations('refundForm'), getLocale()]);
  const parsed = formSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { ok: false, message: t('invalid', { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }) };
  const { paymentId, orderId, amount, reason, idempotencyKey } = parsed.data;
  try {
    const { refund } = await requestRefund(db(), pspClient(), { merchantId: merchant.merchantId, paymentId, idempotencyKey, request: { amount, reason }, requestedBy: merchant.actor });
    revalidatePath(`/dashboard/orders/${orderId}`);
    if (refund.status === 'SUCCEEDED') return { ok: true, message: t('succeeded', { amount: formatMoney(refund.amount, refund.currency) }) };
    if (refund.status === 'FAILED') return { ok: false, message: t('refused', { message: pspErrorText(locale, refund.failure?.code ?? '', refund.failure?.message) }) };
    return { ok: true, message: t('pendingResult') };
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return { ok: false, message: err.message };
    throw err;
  }
}
