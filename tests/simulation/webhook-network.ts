import type { Db } from '@/db/client';
import { WEBHOOK_HEADERS } from '@/sandbox/lib/deliver-due-webhooks';
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
    const tag = `webhook ${id.slice(-6)}`;
    switch (fault) {
      case 'lost':
        note(`${tag}: lost on the way`);
        throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED (simulated)') });
      case 'fail-after-store':
        note(`${tag}: stored, then 500`);
        await receive(db, psp, id, body, false, note);
        return new Response('internal error', { status: 500 });
      case 'duplicate':
        note(`${tag}: arrived twice`);
        await receive(db, psp, id, body, true, note);
        return receive(db, psp, id, body, true, note);
      case 'die-before-processing':
        note(`${tag}: stored, process died before processing`);
        return receive(db, psp, id, body, false, note);
      case 'none':
        return receive(db, psp, id, body, true, note);
    }
  };
}

async function receive(db: Db, psp: TossClient, transmissionId: string, body: string, process: boolean, note: (s: string) => void): Promise<Response> {
  const id = transmissionIdSchema.safeParse(transmissionId);
  const payload = pspWebhookSchema.safeParse(JSON.parse(body));
  if (!id.success || !payload.success) return new Response('bad request', { status: 400 });
  const receipt = await recordPspWebhook(db, id.data, payload.data);
  if (receipt === 'stored' && process) {
    // The route runs this after answering; a failure leaves the stored webhook to recovery.
    await processPspWebhook(db, psp, id.data).catch((err: unknown) => note(`webhook ${id.data.slice(-6)} left for recovery: ${(err as Error).message}`));
  }
  return Response.json({ received: true, duplicate: receipt === 'duplicate' });
}
