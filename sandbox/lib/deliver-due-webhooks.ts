import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspWebhookDeliveries } from '../db/schema';
import { toKstIso } from './clock';

/**
 * Toss re-sends a failed webhook up to 7 times, these many minutes after the previous try
 * (reference §6.1): 1, 4, 16, 64, 256, 1024, 4096. After the 7th retry fails it gives up.
 */
export const WEBHOOK_RETRY_MINUTES = [1, 4, 16, 64, 256, 1024, 4096] as const;

export const WEBHOOK_HEADERS = {
  transmissionId: 'tosspayments-webhook-transmission-id',
  transmissionTime: 'tosspayments-webhook-transmission-time',
  retriedCount: 'tosspayments-webhook-transmission-retried-count',
} as const;

export interface DeliverDueWebhooksOptions {
  /** The current time: which deliveries are due, and what the next try is scheduled from. */
  now: Date;
  fetch?: typeof fetch;
  /**
   * Multiplies the retry intervals (sandbox-only; env PSP_SANDBOX_WEBHOOK_TIME_SCALE in the
   * worker): 1 = Toss's schedule, 0.001 = a minute becomes 60 ms. Must be > 0.
   */
  timeScale?: number;
  /** Most deliveries tried in one call (default 50). */
  limit?: number;
  /** How long one POST may take (default 10 s; Toss documents no limit). */
  timeoutMs?: number;
  /**
   * How long a claimed delivery is left to its worker before another may try it (default: the
   * timeout + 60 s). A worker killed mid-round leaves its deliveries pending this long.
   */
  leaseMs?: number;
}

export interface DeliveryRound {
  /** Deliveries tried in this call. */
  attempted: number;
  delivered: number;
  /** Failed tries with a retry scheduled. */
  retrying: number;
  /** Failed tries after which we gave up (status FAILED). */
  failed: number;
}

/**
 * POSTs every due webhook once (Toss reference §6): the stored body, and the three
 * `tosspayments-webhook-transmission-*` headers, the transmission id being the same on every try
 * of one delivery. Success is HTTP 200 exactly (Toss: "anything else is a failure"; redirects are
 * not followed). A failure schedules the next try WEBHOOK_RETRY_MINUTES[retried] × timeScale
 * minutes after this one; the failure of the 7th retry marks the delivery FAILED.
 *
 * Due rows are claimed with FOR UPDATE SKIP LOCKED and leased (their next try pushed past the
 * POST's timeout) in one statement, so concurrent workers never try one delivery at once and no
 * transaction stays open during HTTP. A worker that dies mid-POST leaves the delivery to be tried
 * again when the lease ends: delivery is at least once, as Toss's is. Deliveries are POSTed
 * concurrently, in no guaranteed order (Toss guarantees none either).
 */
export async function deliverDueWebhooks(db: DbOrTx, options: DeliverDueWebhooksOptions): Promise<DeliveryRound> {
  const { now } = options;
  const doFetch = options.fetch ?? fetch;
  const timeScale = options.timeScale ?? 1;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = Math.max(options.leaseMs ?? timeoutMs + 60_000, timeoutMs);
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);

  const due = db.select({ id: pspWebhookDeliveries.transmissionId }).from(pspWebhookDeliveries)
    .where(and(eq(pspWebhookDeliveries.status, 'PENDING'), lte(pspWebhookDeliveries.nextAttemptAt, now)))
    .orderBy(asc(pspWebhookDeliveries.nextAttemptAt))
    .limit(options.limit ?? 50)
    .for('update', { skipLocked: true });
  const claimed = await db.update(pspWebhookDeliveries)
    .set({ nextAttemptAt: new Date(now.getTime() + leaseMs) })
    .where(inArray(pspWebhookDeliveries.transmissionId, due))
    .returning();

  const round: DeliveryRound = { attempted: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  await Promise.all(claimed.map(async (d) => {
    const result = await post(doFetch, d, now, timeoutMs);
    const outcome = result.ok ? 'delivered' : d.retriedCount >= WEBHOOK_RETRY_MINUTES.length ? 'failed' : 'retrying';
    round[outcome]++;
    const minutes = WEBHOOK_RETRY_MINUTES[d.retriedCount] ?? 0;
    // Fenced on the try we made: if our lease ran out and another worker tried meanwhile, the
    // later record wins and this one changes nothing.
    await db.update(pspWebhookDeliveries)
      .set({
        lastAttemptAt: now,
        lastResult: result.description,
        ...(outcome === 'delivered' ? { status: 'DELIVERED' as const, deliveredAt: now } : {}),
        ...(outcome === 'failed' ? { status: 'FAILED' as const } : {}),
        ...(outcome === 'retrying'
          ? { retriedCount: sql`${pspWebhookDeliveries.retriedCount} + 1`, nextAttemptAt: new Date(now.getTime() + Math.round(minutes * 60_000 * timeScale)) }
          : {}),
      })
      .where(and(
        eq(pspWebhookDeliveries.transmissionId, d.transmissionId),
        eq(pspWebhookDeliveries.status, 'PENDING'),
        eq(pspWebhookDeliveries.retriedCount, d.retriedCount),
      ));
  }));
  return round;
}

async function post(
  doFetch: typeof fetch,
  d: typeof pspWebhookDeliveries.$inferSelect,
  now: Date,
  timeoutMs: number,
): Promise<{ ok: boolean; description: string }> {
  try {
    const res = await doFetch(d.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_HEADERS.transmissionId]: d.transmissionId,
        [WEBHOOK_HEADERS.transmissionTime]: toKstIso(now),
        [WEBHOOK_HEADERS.retriedCount]: String(d.retriedCount),
      },
      body: d.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel().catch(() => {});
    return { ok: res.status === 200, description: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return { ok: false, description: `no answer within ${timeoutMs} ms` };
    return { ok: false, description: e.cause?.code ?? e.cause?.message ?? e.message ?? String(err) };
  }
}
