import { spawn, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { inject } from 'vitest';
import { createTopics } from '@/lib/kafka/create-topics';
import { startLocalKafka, type LocalKafka } from '@/lib/kafka/local-cluster';
import { allTopics, PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';
import { WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';

let created: Promise<unknown> | undefined;

/**
 * The run's shared Apache Kafka (one KRaft node, tests/setup/global-setup.ts), with this test
 * file's topics created (under its own prefix, tests/setup/kafka-namespace.ts).
 */
export async function sharedKafka(): Promise<string[]> {
  const brokers = inject('kafkaBrokers');
  created ??= createTopics(testKafka(brokers), allTopics(3, [WEBHOOK_NOTIFIER]), { replication: 1, minInsync: 1 });
  await created;
  return brokers;
}

/**
 * A 3-node cluster of the caller's own (replication factor 3, min.insync.replicas=2), with the
 * topics created: for tests that kill or freeze brokers. About 10-20 s to start on a busy machine.
 */
export async function startFaultCluster(): Promise<LocalKafka> {
  const cluster = await startLocalKafka({ nodes: 3, quickJit: true, heapMb: 384 });
  try {
    await createTopics(testKafka(cluster.brokers), allTopics(3, [WEBHOOK_NOTIFIER]), { replication: 3, minInsync: 2 });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
}

/** Short group timings: a member joins in milliseconds and a dead one is replaced in ~6 s. */
export const TEST_TIMINGS = { sessionTimeout: 6_000, maxWaitTimeInMs: 100 };

export interface Collected {
  key: string;
  eventId: string;
  offset: string;
  value: Record<string, unknown>;
  partition: number;
}

/** Reads a topic from the beginning into memory (read_committed, each offset once), as an independent observer. */
export async function collectTopic(kafka: Kafka, topic = PAYMENT_EVENTS_TOPIC, opts: { readUncommitted?: boolean } = {}): Promise<{ messages: Collected[]; stop(): Promise<void> }> {
  // read_committed by default, as our consumers read: what an aborted transaction wrote is never seen.
  const consumer: Consumer = kafka.consumer({ groupId: `observer-${Math.random().toString(36).slice(2)}`, ...TEST_TIMINGS, heartbeatInterval: 500, readUncommitted: opts.readUncommitted ?? false });
  const messages: Collected[] = [];
  // A message re-delivered after a rebalance is the same log entry: count each offset once, so
  // `messages` is what the topic holds.
  const seen = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const at = `${batch.partition}:${m.offset}`;
        if (seen.has(at)) continue;
        seen.add(at);
        messages.push({ key: m.key?.toString() ?? '', eventId: m.headers?.eventId?.toString() ?? '', offset: m.offset, value: JSON.parse(m.value?.toString() ?? 'null') as Record<string, unknown>, partition: batch.partition });
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
