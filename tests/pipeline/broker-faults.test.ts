import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Kafka, Producer } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { merchantBalances } from '@/db/schema';
import { balanceProjection } from '@/lib/consumers/balance-projection';
import { runConsumer } from '@/lib/consumers/run-consumer';
import { createPlainProducer, createTransactionalProducer } from '@/lib/kafka/client';
import { createTopics } from '@/lib/kafka/create-topics';
import type { LocalKafka, LocalKafkaNode } from '@/lib/kafka/local-cluster';
import { PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { createIsolatedDatabase } from '../helpers/db';
import { collectTopic, startFaultCluster, testKafka, TEST_TIMINGS, waitFor } from '../helpers/kafka';
import { insertApprovedEvents, unpublishedCount } from '../helpers/synthetic-events';

/**
 * Broker faults on a 3-node KRaft cluster of this file's own (replication factor 3,
 * min.insync.replicas=2): a partition leader SIGKILLed mid-run, a broker frozen (SIGSTOP).
 * A single node hides what goes wrong here: a send spans several leaders only with several brokers.
 */
const log = pino({ level: 'silent' });
let cluster: LocalKafka;

beforeAll(async () => {
  cluster = await startFaultCluster();
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

async function leaderOf(kafka: Kafka, partition: number, topic = PAYMENT_EVENTS_TOPIC): Promise<LocalKafkaNode> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = topics[0]!.partitions.find((p) => p.partitionId === partition)!.leader;
    return cluster.nodes.find((n) => n.id === leader)!;
  } finally {
    await admin.disconnect();
  }
}

/** SIGKILLs the node, and starts it again after `downMs` (in the background); resolves when it is back. */
async function killFor(node: LocalKafkaNode, downMs: number): Promise<void> {
  await node.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, downMs));
  await node.start();
  await cluster.waitUntilReady(120_000);
}

/** How many times each value is in the topic, read back whole with read_committed. */
function countsOf(messages: { eventId: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.eventId, (counts.get(m.eventId) ?? 0) + 1);
  return counts;
}

describe('broker faults (3 nodes, RF 3, min.insync.replicas=2)', () => {
  it('small transactions over all leaders while a leader is killed: every committed message is in the topic exactly once', { timeout: 240_000 }, async () => {
    // What the relay does, minus the database, at the rate that provokes retries: ten keyed
    // messages per transaction over six partitions (three leaders), for ~20 s, a partition
    // leader SIGKILLed 6 s in and back 8 s later. Stock kafkajs 2.2.4 writes duplicates into
    // committed transactions here (and can drop a partition's messages from one): see
    // scripts/patch-dependencies.mjs.
    const kafka = testKafka(cluster.brokers);
    const topic = `${PAYMENT_EVENTS_TOPIC}.dup-check`; // not the events topic: the next tests' consumers read that
    await createTopics(kafka, { [topic]: 6 }, { replication: 3, minInsync: 2 });
    const committed: string[] = [];
    const uncertain: string[] = []; // in a transaction whose commit failed: may be there, at most once
    let producer: Producer | undefined;
    const id = `dup-check-${randomUUID()}`;
    const deadline = Date.now() + 20_000;
    const fault = (async () => {
      await new Promise((r) => setTimeout(r, 6_000));
      await killFor(await leaderOf(kafka, 0, topic), 8_000);
    })();
    while (Date.now() < deadline) {
      const ids = Array.from({ length: 10 }, () => randomUUID());
      try {
        producer ??= createTransactionalProducer(kafka, id);
        await producer.connect();
        const txn = await producer.transaction();
        try {
          await txn.send({ topic, acks: -1, messages: ids.map((e) => ({ key: e, value: '{}', headers: { eventId: e } })) });
          await txn.commit();
        } catch (err) {
          await txn.abort().catch(() => {});
          throw err;
        }
        committed.push(...ids);
      } catch {
        uncertain.push(...ids);
        await producer?.disconnect().catch(() => {});
        producer = undefined; // its transaction state is unknown: a new one, as the relay does
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await producer?.disconnect();
    await fault;
    expect(committed.length).toBeGreaterThan(100); // the run did real work

    const observer = await collectTopic(kafka, topic);
    onTestFinished(() => observer.stop());
    await waitFor('every committed message read back', () => {
      const seen = new Set(observer.messages.map((m) => m.eventId));
      return committed.every((e) => seen.has(e));
    }, 90_000, 200).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1_000));
    const counts = countsOf(observer.messages);
    const lost = committed.filter((e) => !counts.has(e));
    const twice = [...counts].filter(([, n]) => n > 1);
    expect({ lost: lost.length, writtenTwice: twice.length }).toEqual({ lost: 0, writtenTwice: 0 });
    expect(uncertain.filter((e) => (counts.get(e) ?? 0) > 1)).toEqual([]);
  });

  it('the leader of a partition killed mid-run: relay and consumer carry on, 0 events lost, 0 effects twice, none written twice', { timeout: 240_000 }, async () => {
    const database = await createIsolatedDatabase();
    onTestFinished(() => database.close());
    const kafka = testKafka(cluster.brokers);
    const relay = createOutboxRelay({
      database, log, batchSize: 100, idlePollMs: 50,
      connectProducer: async () => {
        const p = createTransactionalProducer(kafka, 'relay-leader-kill');
        await p.connect();
        return p;
      },
    });
    const producer = createPlainProducer(kafka);
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const projection = runConsumer({ kafka, spec: balanceProjection(database.db), producer, timings: TEST_TIMINGS, log });
    const observer = await collectTopic(kafka);
    onTestFinished(() => observer.stop());
    await Promise.all([relay.start(), projection.start()]);
    onTestFinished(() => projection.stop());
    onTestFinished(() => relay.stop());

    // Events keep coming for 16 s; 5 s in, the leader of partition 0 dies and is back 10 s later.
    const first = await insertApprovedEvents(database.db, 100);
    const all = [...first.events];
    let payable = first.payable;
    const fault = (async () => {
      await new Promise((r) => setTimeout(r, 5_000));
      await killFor(await leaderOf(kafka, 0), 10_000);
    })();
    for (let i = 0; i < 16; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const more = await insertApprovedEvents(database.db, 100, { merchantId: first.merchantId });
      all.push(...more.events);
      payable += more.payable;
    }
    await fault;
    await waitFor('outbox drained', async () => (await unpublishedCount(database.db)) === 0, 120_000, 200);
    const balance = await waitFor('projection caught up', async () => {
      const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, first.merchantId));
      return b && b.approvedCount >= all.length ? b : undefined;
    }, 120_000, 200);
    await new Promise((r) => setTimeout(r, 1_000)); // a double effect would land here
    const [after] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, first.merchantId));
    expect(balance.approvedCount).toBe(all.length);
    expect(after!.approvedCount).toBe(all.length);
    expect(after!.payable).toBe(payable);

    const ids = new Set(all.map((e) => e.eventId));
    await waitFor('every event observed', () => new Set(observer.messages.map((m) => m.eventId)).size >= ids.size, 60_000, 200);
    const counts = countsOf(observer.messages.filter((m) => ids.has(m.eventId)));
    expect(counts.size).toBe(ids.size);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
  });

  it('a broker frozen for 12 s (SIGSTOP, then SIGCONT): nothing lost, each effect once', { timeout: 240_000 }, async () => {
    const database = await createIsolatedDatabase();
    onTestFinished(() => database.close());
    const kafka = testKafka(cluster.brokers);
    const relay = createOutboxRelay({
      database, log, batchSize: 50, idlePollMs: 50,
      connectProducer: async () => {
        const p = createTransactionalProducer(kafka, 'relay-freeze');
        await p.connect();
        return p;
      },
    });
    const producer = createPlainProducer(kafka);
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const projection = runConsumer({ kafka, spec: balanceProjection(database.db), producer, timings: TEST_TIMINGS, log });
    await Promise.all([relay.start(), projection.start()]);
    onTestFinished(() => projection.stop());
    onTestFinished(() => relay.stop());

    const before = await insertApprovedEvents(database.db, 200);
    await waitFor('first events published', async () => (await unpublishedCount(database.db)) === 0, 60_000);
    const frozen = await leaderOf(kafka, 0);
    frozen.pause();
    onTestFinished(() => frozen.resume());
    const during = await insertApprovedEvents(database.db, 300, { merchantId: before.merchantId });
    await new Promise((r) => setTimeout(r, 12_000));
    frozen.resume();

    await waitFor('outbox drained after the freeze', async () => (await unpublishedCount(database.db)) === 0, 120_000, 200);
    await waitFor('all 500 applied', async () => {
      const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, before.merchantId));
      return b?.approvedCount === 500;
    }, 120_000, 200);
    await new Promise((r) => setTimeout(r, 1_000));
    const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, before.merchantId));
    expect(b!.approvedCount).toBe(500);
    expect(b!.payable).toBe(before.payable + during.payable);
  });
});
