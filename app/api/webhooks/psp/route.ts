import { after } from 'next/server';
import { z } from 'zod';
import { depositCallbackSchema, receiveDepositCallback } from '@/lib/psp-webhooks/deposit-callback';
import { db } from '@/db';
import { BODY_LIMITS, json, parseJsonBody, route } from '@/lib/http/respond';
import { log } from '@/lib/log';
import { processPspWebhook, pspWebhookSchema, recordPspWebhook, transmissionIdSchema } from '@/lib/psp-webhooks/receive-psp-webhook';
import { pspClient } from '@/lib/psp/server-client';

/** Toss's two body shapes: events with `eventType`, and the flat DEPOSIT_CALLBACK without one. */
const inboundSchema = z.union([pspWebhookSchema, depositCallbackSchema]);

/**
 * Toss webhooks (PAYMENT_STATUS_CHANGED, CANCEL_STATUS_CHANGED, DEPOSIT_CALLBACK). Stored once per
 * transmission id and answered 200 at once; one that claims what we already hold is finished as it
 * is stored, and the work for any other (re-fetching the payment from the PSP) runs after the
 * response. If this process dies first, the recovery worker processes the stored webhook. A
 * DEPOSIT_CALLBACK is stored only when its secret is genuine (else 401 or 404).
 */
export const POST = route(async (req) => {
  const transmissionId = transmissionIdSchema.parse(req.headers.get('tosspayments-webhook-transmission-id') ?? '');
  const body = await parseJsonBody(req, inboundSchema, BODY_LIMITS.webhook);
  const receipt = 'eventType' in body && typeof body.eventType === 'string'
    ? await recordPspWebhook(db(), transmissionId, pspWebhookSchema.parse(body))
    : ((await receiveDepositCallback(db(), transmissionId, depositCallbackSchema.parse(body))) ? 'stored' : 'duplicate');
  if (receipt === 'stored') {
    after(async () => {
      try {
        const outcome = await processPspWebhook(db(), pspClient(), transmissionId);
        log.info({ transmissionId, outcome }, 'PSP webhook processed');
      } catch (err) {
        log.warn({ transmissionId, err: (err as Error).message }, 'PSP webhook left for the recovery worker');
      }
    });
  }
  return json({ received: true, duplicate: receipt === 'duplicate' });
});
