import { spawn, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startDevKafka, type DevKafka } from '@/lib/kafka/dev-cluster';
import { allTopics, PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';
import { WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';

/** A Kafka-protocol cluster (librdkafka mock, 3 brokers over TCP) of this test file's own. */
export function startTestKafka(): Promise<DevKafka> {
  return startDevKafka({ brokers: 3, topics: allTopics(3, [WEBHOOK_NOTIFIER]) });
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
}

/** The mock needs short group timings (see the broker notes): rebalances take sessionTimeout − 1 s. */
export const TEST_TIMINGS = { sessionTimeout: 6_000, maxWaitTimeInMs: 100 };

export interface Collected {
  key: string;
  eventId: string;
  value: Record<string, unknown>;
  partition: number;
}

/** Reads a topic from the beginning into memory, as an independent observer. */
export async function collectTopic(kafka: Kafka, topic = PAYMENT_EVENTS_TOPIC): Promise<{ messages: Collected[]; stop(): Promise<void> }> {
  const consumer: Consumer = kafka.consumer({ groupId: `observer-${Math.random().toString(36).slice(2)}`, ...TEST_TIMINGS, heartbeatInterval: 500 });
  const messages: Collected[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        messages.push({ key: m.key?.toString() ?? '', eventId: m.headers?.eventId?.toString() ?? '', value: JSON.parse(m.value?.toString() ?? 'null') as Record<string, unknown>, partition: batch.partition });
      }
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Starts a worker as its own OS process (node --import tsx), so tests can SIGKILL it. */
export function spawnWorker(script: string, env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return Object.assign(child, { output: () => out });
}
