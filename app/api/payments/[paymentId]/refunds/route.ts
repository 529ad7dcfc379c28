import { db } from '@/db';
import { AppError } from '@/lib/errors';
import { withMerchant } from '@/lib/auth/merchant-context';
import { json, parseJsonBody } from '@/lib/http/respond';
import { pspClient } from '@/lib/psp/server-client';
import { idempotencyKeySchema, refundRequestSchema, requestRefund } from '@/lib/refunds/request-refund';
import { z } from 'zod';

const paymentIdSchema = z.string().regex(/^pay_[0-9a-f]{32}$/, 'is not a payment id');

/** Merchant API: refund (part of) a payment. Requires an Idempotency-Key header. */
export const POST = withMerchant<{ paymentId: string }>(async (req, { params, merchant }) => {
  const paymentId = paymentIdSchema.parse(params.paymentId);
  const key = req.headers.get('idempotency-key');
  if (!key) throw new AppError('MISSING_IDEMPOTENCY_KEY', 'Send an Idempotency-Key header so a retried refund request cannot refund twice.');
  const idempotencyKey = idempotencyKeySchema.parse(key);
  const request = await parseJsonBody(req, refundRequestSchema);
  const { refund, created } = await requestRefund(db(), pspClient(), { merchantId: merchant.merchantId, paymentId, idempotencyKey, request, requestedBy: merchant.actor });
  if (refund.status === 'FAILED') {
    return json({ error: { code: 'REFUND_DECLINED', message: `The PSP refused the refund: ${refund.failure?.message ?? 'unknown reason'}`, refund } }, 422);
  }
  return json(refund, created ? 201 : 200);
});
