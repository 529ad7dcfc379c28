import type { Consumer, ConsumerConfig, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { pgErrorCode } from '@/lib/db-errors';
import { paymentEventSchema, type PaymentEvent } from '@/lib/events/contract';
import { consumerGroupId, DEAD_LETTER_TOPIC } from '@/lib/kafka/topics';

export interface Delivered {
  event: PaymentEvent;
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export interface ConsumerContext {
  /** Keeps the group session alive during long work (e.g. waiting out a retry delay). */
  heartbeat(): Promise<void>;
  isRunning(): boolean;
}

export interface ConsumerSpec {
  /** Consumer name; also its Kafka group id and its key in consumed_events. */
  name: string;
  topics: string[];
  /**
   * Applies a batch of valid events. Throwing means "transient, try again": kafkajs retries
   * the batch with backoff, so effects must be idempotent (consumed_events makes them so).
   */
  handle(batch: Delivered[], ctx: ConsumerContext): Promise<void>;
}

export interface KafkaTimings {
  sessionTimeout: number;
  maxWaitTimeInMs: number;
  /**
   * How long the coordinator may hold a JoinGroup (kafkajs default 60 s; the request times out
   * a few seconds after it). A join the broker never answers stalls the consumer this long.
   */
  rebalanceTimeout?: number;
}

/**
 * Group settings shared by every consumer of ours. kafkajs heartbeats only between fetches, so
 * a short `maxWaitTimeInMs` is what lets a member join or leave in milliseconds rather than
 * seconds; heartbeats at a tenth of the session (at least every 500 ms). `read_committed`: a
 * relay's aborted transaction (it died or was fenced before committing) is never seen.
 */
export function consumerConfig(consumer: string, timings: KafkaTimings): ConsumerConfig {
  return {
    groupId: consumerGroupId(consumer),
    sessionTimeout: timings.sessionTimeout,
    heartbeatInterval: Math.max(500, Math.floor(timings.sessionTimeout / 10)),
    maxWaitTimeInMs: timings.maxWaitTimeInMs,
    ...(timings.rebalanceTimeout ? { rebalanceTimeout: timings.rebalanceTimeout } : {}),
    readUncommitted: false,
    allowAutoTopicCreation: false,
  };
}

/** Kafka headers (Buffers) as strings. */
export function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined) out[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
  return out;
}

/** Sends an event a consumer gave up on to the dead-letter topic, with why and after how many tries. */
export async function sendToDeadLetter(producer: Producer, input: { consumer: string; sourceTopic: string; key: string | null; value: string; error: string; attempts: number; eventId?: string }): Promise<void> {
  await producer.send({
    topic: DEAD_LETTER_TOPIC,
    acks: -1,
    messages: [{
      key: input.key,
      value: input.value,
      headers: { consumer: input.consumer, sourceTopic: input.sourceTopic, error: input.error.slice(0, 2_000), attempts: String(input.attempts), ...(input.eventId ? { eventId: input.eventId } : {}) },
    }],
  });
}

/**
 * Runs one consumer group member. Offsets are committed only after `handle` returned, so a
 * crash replays the batch (at-least-once) and the handler's dedupe makes the effect exactly-once.
 * A payload that is not a valid event goes to the dead-letter topic instead of crashing.
 */
export function runConsumer(opts: { kafka: Kafka; spec: ConsumerSpec; producer: Producer; timings: KafkaTimings; log: Logger }) {
  const { spec, log } = opts;
  let consumer: Consumer | undefined;
  let stopped = false;
  let ready = false;

  /**
   * A batch that fails on bad data (a constraint the event violates) is retried one event at a
   * time, so only the poison event is dead-lettered; any other error is transient and retried.
   */
  async function handleOrIsolate(batch: Delivered[], ctx: ConsumerContext): Promise<void> {
    try {
      await spec.handle(batch, ctx);
      return;
    } catch (err) {
      if (!isPermanentError(err)) throw err;
    }
    for (const d of batch) {
      try {
        await spec.handle([d], ctx);
      } catch (err) {
        if (!isPermanentError(err)) throw err;
        log.warn({ eventId: d.event.eventId, err: errorText(err) }, 'event cannot be applied; dead-lettering');
        await sendToDeadLetter(opts.producer, {
          consumer: spec.name, sourceTopic: d.topic, key: d.event.paymentId, value: JSON.stringify(d.event),
          error: errorText(err), attempts: 1, eventId: d.event.eventId,
        });
      }
    }
  }

  async function start(): Promise<void> {
    const c = opts.kafka.consumer(consumerConfig(spec.name, opts.timings));
    consumer = c;
    c.on(c.events.GROUP_JOIN, () => (ready = true));
    c.on(c.events.CRASH, (e) => {
      ready = false;
      log.error({ err: e.payload.error?.message, restart: e.payload.restart }, `${spec.name} crashed`);
      // kafkajs restarts by itself on retriable errors; otherwise make a fresh consumer.
      if (!e.payload.restart && !stopped) {
        void c.disconnect().catch(() => {}).then(() => setTimeout(() => void start().catch((err) => log.error({ err }, 'restart failed')), 1_000));
      }
    });
    await c.connect();
    for (const topic of spec.topics) await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        if (!isRunning() || isStale()) return;
        const valid: Delivered[] = [];
        for (const m of batch.messages) {
          const raw = m.value?.toString() ?? '';
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw);
          } catch {
            parsed = undefined;
          }
          const result = paymentEventSchema.safeParse(parsed);
          if (result.success) {
            valid.push({ event: result.data, topic: batch.topic, partition: batch.partition, offset: m.offset, headers: headersOf(m.headers) });
          } else {
            log.warn({ topic: batch.topic, offset: m.offset }, 'invalid event payload; dead-lettering');
            await sendToDeadLetter(opts.producer, {
              consumer: spec.name, sourceTopic: batch.topic, key: m.key?.toString() ?? null, value: raw,
              error: parsed === undefined ? 'payload is not JSON' : `invalid event: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
              attempts: 1,
            });
          }
        }
        if (valid.length) await handleOrIsolate(valid, { heartbeat, isRunning });
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
  }

  return {
    start,
    ready: () => ready,
    async stop() {
      stopped = true;
      await consumer?.disconnect();
    },
  };
}

/** PostgreSQL data exceptions (22xxx) and integrity violations (23xxx) will not heal by retrying. */
export function isPermanentError(err: unknown): boolean {
  const code = pgErrorCode(err);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

function errorText(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  return e.cause?.message ?? e.message ?? String(err);
}
