import { sql } from 'drizzle-orm';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Db } from '@/db/client';
import { deadLetters } from '@/db/schema';
import { DEAD_LETTER_TOPIC } from '@/lib/kafka/topics';
import { consumerConfig, headersOf, type KafkaTimings } from './run-consumer';

export const DEAD_LETTER_RECORDER = 'dead-letter-recorder';

interface DeadLetterMessage {
  headers: Record<string, string>;
  value: string;
}

/**
 * Writes dead-lettered events to the dead_letters table (one row per consumer and event; a
 * replayed event that fails again reopens its row). Payloads that are not valid events are
 * kept raw, so nothing is dropped silently.
 */
export async function recordDeadLetter(db: Db, m: DeadLetterMessage): Promise<void> {
  let payload: Record<string, unknown> | null = null;
  try {
    const parsed = JSON.parse(m.value) as unknown;
    if (parsed && typeof parsed === 'object') payload = parsed as Record<string, unknown>;
  } catch {
    payload = null;
  }
  const eventId = m.headers.eventId ?? (typeof payload?.eventId === 'string' ? payload.eventId : null);
  const merchantId = typeof payload?.merchantId === 'string' ? payload.merchantId : null;
  await db.insert(deadLetters)
    .values({
      consumer: m.headers.consumer ?? 'unknown',
      eventId,
      merchantId,
      sourceTopic: m.headers.sourceTopic ?? 'unknown',
      payload,
      rawValue: payload ? null : m.value,
      error: m.headers.error ?? 'unknown error',
      attempts: Number(m.headers.attempts ?? 1),
    })
    .onConflictDoUpdate({
      target: [deadLetters.consumer, deadLetters.eventId],
      targetWhere: sql`${deadLetters.eventId} is not null`,
      set: { error: sql`excluded.error`, attempts: sql`${deadLetters.attempts} + excluded.attempts`, lastFailedAt: sql`now()`, replayedAt: null },
    });
}

/** The dead-letter topic's consumer (raw messages: it must accept what others could not parse). */
export function runDeadLetterRecorder(opts: { kafka: Kafka; db: Db; timings: KafkaTimings; log: Logger }) {
  let consumer: Consumer | undefined;
  let ready = false;
  return {
    ready: () => ready,
    async start() {
      consumer = opts.kafka.consumer(consumerConfig(DEAD_LETTER_RECORDER, opts.timings));
      consumer.on(consumer.events.GROUP_JOIN, () => (ready = true));
      await consumer.connect();
      await consumer.subscribe({ topic: DEAD_LETTER_TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers = headersOf(message.headers);
          await recordDeadLetter(opts.db, { headers, value: message.value?.toString() ?? '' });
          opts.log.warn({ consumer: headers.consumer, eventId: headers.eventId }, 'dead letter recorded');
        },
      });
    },
    async stop() {
      await consumer?.disconnect();
    },
  };
}
