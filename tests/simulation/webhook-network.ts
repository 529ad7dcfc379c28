import type { Db } from '@/db/client';
import { WEBHOOK_HEADERS } from '@/sandbox/lib/deliver-due-webhooks';
import { AppError } from '@/lib/errors';
import { depositCallbackSchema, receiveDepositCallback } from '@/lib/psp-webhooks/deposit-callback';
import { processPspWebhook, pspWebhookSchema, recordPspWebhook, transmissionIdSchema } from '@/lib/psp-webhooks/receive-psp-webhook';
import type { TossClient } from '@/lib/psp/toss-client';
import type { Prng } from '@/lib/prng';

/**
 * The fetch the PSP sandbox's webhook sender uses in the simulation: it reaches our receiver
 * (what app/api/webhooks/psp/route.ts does: store once per transmission id, answer, then process)
 * through a network that can lose the POST, duplicate it, fail after storing it (so the PSP
 * retries a stored webhook) or kill the process before the deferred processing runs (so the
 * recovery worker must pick it up).
 */
export function webhookFetch(db: Db, psp: TossClient, rng: Prng, rate: number, note: (s: string) => void): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const id = req.headers.get(WEBHOOK_HEADERS.transmissionId) ?? '';
    const body = await req.text();
    const fault = rate > 0 && rng.chance(rate) ? rng.weighted({ lost: 3, 'fail-after-store': 2, duplicate: 3, 'die-before-processing': 2 }) : 'none';
    const tag = `webhook ${id.slice(-6)}${isDepositCallback(body) ? ' (deposit-callback)' : ''}`;
    switch (fault) {
      case 'lost':
        note(`${tag}: lost on the way`);
        throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED (simulated)') });
      case 'fail-after-store':
        note(`${tag}: stored, then 500`);
        await receiveInbound(db, psp, id, body, false, note);
        return new Response('internal error', { status: 500 });
      case 'duplicate':
        note(`${tag}: arrived twice`);
        await receiveInbound(db, psp, id, body, true, note);
        return receiveInbound(db, psp, id, body, true, note);
      case 'die-before-processing':
        note(`${tag}: stored, process died before processing`);
        return receiveInbound(db, psp, id, body, false, note);
      case 'none':
        return receiveInbound(db, psp, id, body, true, note);
    }
  };
}

function isDepositCallback(body: string): boolean {
  try {
    return typeof (JSON.parse(body) as { eventType?: unknown }).eventType !== 'string';
  } catch {
    return false;
  }
}

/**
 * What the webhook route does with one POST: Toss's events (with eventType) are stored by
 * transmission id; a DEPOSIT_CALLBACK (flat, no eventType) only when its secret is genuine, else
 * 401 / 404 with nothing stored. Then, if `process`, the deferred processing.
 */
export async function receiveInbound(db: Db, psp: TossClient, transmissionId: string, body: string, process: boolean, note: (s: string) => void): Promise<Response> {
  const id = transmissionIdSchema.safeParse(transmissionId);
  if (!id.success) return new Response('bad request', { status: 400 });
  let receipt: 'stored' | 'settled' | 'duplicate';
  if (isDepositCallback(body)) {
    const callback = depositCallbackSchema.safeParse(JSON.parse(body));
    if (!callback.success) return new Response('bad request', { status: 400 });
    try {
      receipt = (await receiveDepositCallback(db, id.data, callback.data)) ? 'stored' : 'duplicate';
    } catch (err) {
      if (err instanceof AppError) return Response.json({ code: err.code }, { status: err.status });
      throw err;
    }
  } else {
    const payload = pspWebhookSchema.safeParse(JSON.parse(body));
    if (!payload.success) return new Response('bad request', { status: 400 });
    receipt = await recordPspWebhook(db, id.data, payload.data);
  }
  if (receipt === 'stored' && process) {
    // The route runs this after answering; a failure leaves the stored webhook to recovery.
    await processPspWebhook(db, psp, id.data).catch((err: unknown) => note(`webhook ${id.data.slice(-6)} left for recovery: ${(err as Error).message}`));
  }
  return Response.json({ received: true, duplicate: receipt === 'duplicate' });
}
