import { timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { payments, pspWebhookReceipts, virtualAccounts } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { secretDigest } from '@/lib/payments/finish-payment';

/**
 * Toss's DEPOSIT_CALLBACK (reference §6.3): flat, without eventType or signature. Its `secret`
 * is the one the confirm returned for that virtual account, the only proof it comes from the PSP.
 */
export const depositCallbackSchema = z.looseObject({
  createdAt: z.string().max(64).optional(),
  secret: z.string().min(1).max(200),
  status: z.string().min(1).max(64),
  transactionKey: z.string().max(200).nullish(),
  orderId: z.string().min(1).max(64),
});
export type DepositCallback = z.infer<typeof depositCallbackSchema>;

/**
 * Accepts a DEPOSIT_CALLBACK only when its secret matches one we stored for a virtual account
 * of its order (compared as SHA-256 digests in constant time), then stores it once per
 * transmission id for processing, without the secret. Returns false for a repeated delivery.
 * Throws NOT_FOUND for an order without a virtual account (Toss retries a non-200, which also
 * covers a callback that overtook our own record of the confirm) and WEBHOOK_NOT_GENUINE for a
 * wrong secret. Neither changes anything.
 */
export async function receiveDepositCallback(db: Db, transmissionId: string, body: DepositCallback): Promise<boolean> {
  const accounts = await db.select({ paymentKey: payments.pspPaymentKey, secretSha256: virtualAccounts.secretSha256 })
    .from(virtualAccounts).innerJoin(payments, eq(payments.id, virtualAccounts.paymentId))
    .where(eq(payments.orderId, body.orderId));
  if (accounts.length === 0) throw new AppError('NOT_FOUND', 'No virtual account of ours belongs to this orderId.');
  const given = Buffer.from(secretDigest(body.secret), 'hex');
  // Every candidate is compared (no early exit), so the time taken says nothing about which matched.
  let genuine: (typeof accounts)[number] | undefined;
  for (const a of accounts) if (timingSafeEqual(Buffer.from(a.secretSha256, 'hex'), given)) genuine ??= a;
  if (!genuine) throw new AppError('WEBHOOK_NOT_GENUINE', 'The callback\'s secret does not match the one the PSP issued for this payment.');
  const { secret: _secret, ...stored } = body;
  const [row] = await db.insert(pspWebhookReceipts).values({
    transmissionId,
    eventType: 'DEPOSIT_CALLBACK',
    paymentKey: genuine.paymentKey,
    orderId: body.orderId,
    payload: stored,
  }).onConflictDoNothing().returning({ id: pspWebhookReceipts.transmissionId });
  return Boolean(row);
}
