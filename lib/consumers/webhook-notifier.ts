import { and, eq } from 'drizzle-orm';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Db } from '@/db/client';
import { consumedEvents, merchants, webhookDeliveries } from '@/db/schema';
import type { PaymentEvent } from '@/lib/events/contract';
import { PAYMENT_EVENTS_TOPIC, retryTopic } from '@/lib/kafka/topics';
import { postToWebhook } from '@/lib/security/webhook-destination';
import { sendToDeadLetter, type ConsumerSpec, type Delivered } from './run-consumer';
import { signWebhook, SIGNATURE_HEADER } from './webhook-signature';

export const WEBHOOK_NOTIFIER = 'webhook-notifier';

export interface NotifierOptions {
  db: Db;
  producer: Producer;
  log: Logger;
  /** Delay before retry 1, 2, …; after the last retry fails the event is dead-lettered. */
  retryDelaysMs: number[];
  timeoutMs: number;
  /** Send to private/loopback addresses too (local development only; default WEBHOOK_ALLOW_PRIVATE_URLS). */
  allowPrivateUrls?: boolean;
  now?: () => number;
}

const nowOf = (opts: NotifierOptions) => opts.now?.() ?? Date.now();

type Outcome = { kind: 'delivered' | 'already-delivered' | 'no-endpoint' } | { kind: 'failed'; error: string };

/**
 * One delivery attempt of one event to its merchant's webhook. A success is recorded in
 * consumed_events, so a redelivered or replayed event is not sent again; every attempt is
 * recorded in webhook_deliveries.
 */
export async function deliverWebhook(opts: NotifierOptions, event: PaymentEvent, attempt: number): Promise<Outcome> {
  const { db } = opts;
  const [done] = await db.select().from(consumedEvents).where(and(eq(consumedEvents.consumer, WEBHOOK_NOTIFIER), eq(consumedEvents.eventId, event.eventId)));
  if (done) return { kind: 'already-delivered' };
  const [merchant] = await db.select({ url: merchants.webhookUrl, secret: merchants.webhookSecret }).from(merchants).where(eq(merchants.id, event.merchantId));
  if (!merchant?.url) {
    await db.insert(consumedEvents).values({ consumer: WEBHOOK_NOTIFIER, eventId: event.eventId }).onConflictDoNothing();
    return { kind: 'no-endpoint' };
  }
  const body = JSON.stringify(event);
  const timestamp = Math.floor(nowOf(opts) / 1000);
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    // Checks the address each connection goes to (SSRF, DNS rebinding) and follows no redirect.
    statusCode = await postToWebhook(merchant.url, {
      headers: {
        'content-type': 'application/json',
        'won-event-id': event.eventId,
        'won-event-type': event.type,
        [SIGNATURE_HEADER]: signWebhook(merchant.secret ?? '', body, timestamp),
      },
      body,
      timeoutMs: opts.timeoutMs,
      allowPrivate: opts.allowPrivateUrls,
    });
    if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  const durationMs = Math.round(performance.now() - started);
  await db.transaction(async (tx) => {
    await tx.insert(webhookDeliveries).values({ eventId: event.eventId, merchantId: event.merchantId, attempt, url: merchant.url!, statusCode, error, durationMs });
    if (!error) await tx.insert(consumedEvents).values({ consumer: WEBHOOK_NOTIFIER, eventId: event.eventId }).onConflictDoNothing();
  });
  return error ? { kind: 'failed', error } : { kind: 'delivered' };
}

/** After attempt `attempt` failed: the next retry topic, or the dead-letter topic. */
async function scheduleRetry(opts: NotifierOptions, d: Delivered, attempt: number, error: string): Promise<void> {
  const value = JSON.stringify(d.event);
  if (attempt <= opts.retryDelaysMs.length) {
    const notBefore = nowOf(opts) + opts.retryDelaysMs[attempt - 1]!;
    await opts.producer.send({
      topic: retryTopic(WEBHOOK_NOTIFIER, attempt),
      acks: -1,
      messages: [{ key: d.event.paymentId, value, headers: { eventId: d.event.eventId, attempt: String(attempt), notBefore: String(notBefore), lastError: error.slice(0, 500) } }],
    });
    opts.log.info({ eventId: d.event.eventId, attempt, retryInMs: opts.retryDelaysMs[attempt - 1] }, 'webhook failed; retry scheduled');
  } else {
    await sendToDeadLetter(opts.producer, { consumer: WEBHOOK_NOTIFIER, sourceTopic: d.topic, key: d.event.paymentId, value, error, attempts: attempt, eventId: d.event.eventId });
    opts.log.warn({ eventId: d.event.eventId, attempts: attempt }, 'webhook failed for good; dead-lettered');
  }
}

/**
 * The notifier is one consumer group on the main topic plus one per retry level (separate
 * groups, so waiting out a retry delay never holds up fresh events).
 * Level 0 = the main topic; level L consumes retry-L and makes attempt L + 1.
 */
export function webhookNotifier(opts: NotifierOptions, level: number): ConsumerSpec {
  return {
    name: level === 0 ? WEBHOOK_NOTIFIER : `${WEBHOOK_NOTIFIER}-retry-${level}`,
    topics: [level === 0 ? PAYMENT_EVENTS_TOPIC : retryTopic(WEBHOOK_NOTIFIER, level)],
    handle: async (batch, ctx) => {
      for (const d of batch) {
        const notBefore = Number(d.headers.notBefore ?? 0);
        // Retry messages of one level are in due-time order, so waiting here is waiting for the next due one.
        while (ctx.isRunning() && nowOf(opts) < notBefore) {
          await new Promise((r) => setTimeout(r, Math.min(1_000, notBefore - nowOf(opts))));
          await ctx.heartbeat();
        }
        if (!ctx.isRunning()) throw new Error('stopping before the retry was due');
        const attempt = level + 1;
        const outcome = await deliverWebhook(opts, d.event, attempt);
        if (outcome.kind === 'failed') await scheduleRetry(opts, d, attempt, outcome.error);
      }
    },
  };
}
