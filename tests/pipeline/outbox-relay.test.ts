import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import pino from 'pino';
import { eq } from 'drizzle-orm';
import { merchantBalances } from '@/db/schema';
import type { DevKafka } from '@/lib/kafka/dev-cluster';
import { createTransactionalProducer } from '@/lib/kafka/client';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { balanceProjection } from '@/lib/consumers/balance-projection';
import { runConsumer } from '@/lib/consumers/run-consumer';
import { createIsolatedDatabase } from '../helpers/db';
import { collectTopic, spawnWorker, startTestKafka, testKafka, TEST_TIMINGS, waitFor } from '../helpers/kafka';
import { insertApprovedEvents, unpublishedCount } from '../helpers/synthetic-events';

const log = pino({ level: 'silent' });
let kafka: DevKafka;

beforeAll(async () => {
  kafka = await startTestKafka();
});
afterAll(async () => {
  await kafka.stop();
});

function relayFor(database: Awaited<ReturnType<typeof createIsolatedDatabase>>, instance: string, batchSize = 500) {
  const client = testKafka(kafka.brokers);
  return createOutboxRelay({
    database,
    log,
    batchSize,
    idlePollMs: 50,
    connectProducer: async () => {
      const p = createTransactionalProducer(client, `test-relay-${instance}-${Math.random()}`);
      await p.connect();
      return p;
    },
  });
}

describe('outbox relay', () => {
  it('two relay instances drain 5,000 rows at once: none missing, none duplicated', { timeout: 120_000 }, async () => {
    const database = await createIsolatedDatabase();
    const { events } = await insertApprovedEvents(database.db, 5_000);
    const observer = await collectTopic(testKafka(kafka.brokers));
    const a = relayFor(database, 'a');
    const b = relayFor(database, 'b');
    await Promise.all([a.start(), b.start()]);
    try {
      await waitFor('outbox drained', async () => (await unpublishedCount(database.db)) === 0, 60_000);
      await waitFor('5,000 messages observed', () => observer.messages.length >= 5_000, 30_000);
      await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up here
    } finally {
      await Promise.all([a.stop(), b.stop(), observer.stop()]);
      await database.close();
    }
    const ids = observer.messages.map((m) => m.eventId);
    expect(ids).toHaveLength(5_000);
    expect(new Set(ids).size).toBe(5_000);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.eventId)));
    // Keyed by payment id: the key is the payload's paymentId.
    expect(observer.messages.every((m) => m.key === m.value.paymentId)).toBe(true);
  });

  it('a relay killed with SIGKILL mid-batch loses nothing, and the projection counts each event once', { timeout: 180_000 }, async () => {
    // A cluster of its own: the topic holds only this test's events.
    const own = await startTestKafka();
    onTestFinished(() => own.stop());
    const database = await createIsolatedDatabase();
    const { events, merchantId, payable } = await insertApprovedEvents(database.db, 3_000);
    const observer = await collectTopic(testKafka(own.brokers));
    const env = { DATABASE_URL: database.url, KAFKA_BROKERS: own.brokers.join(','), RELAY_BATCH_SIZE: '50', RELAY_INSTANCE_ID: 'kill-test', RELAY_IDLE_POLL_MS: '50' };
    const first = spawnWorker('workers/outbox-relay.ts', env);
    try {
      await waitFor('the relay to publish some rows', async () => (await unpublishedCount(database.db)) < 2_900, 30_000, 20);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const left = await unpublishedCount(database.db);
      expect(left).toBeGreaterThan(0); // killed mid-run, not after
      const second = spawnWorker('workers/outbox-relay.ts', env);
      try {
        await waitFor('outbox drained after restart', async () => (await unpublishedCount(database.db)) === 0, 60_000);
      } finally {
        second.kill('SIGTERM');
        await new Promise((r) => second.once('exit', r));
      }
      await waitFor('every event observed', () => new Set(observer.messages.map((m) => m.eventId)).size >= 3_000, 30_000);
    } finally {
      await observer.stop();
    }
    const seen = new Set(observer.messages.map((m) => m.eventId));
    expect(events.every((e) => seen.has(e.eventId))).toBe(true);

    // The projection reads the topic (duplicates included) and applies each event exactly once.
    const deadLetterProducer = testKafka(own.brokers).producer();
    await deadLetterProducer.connect();
    onTestFinished(() => deadLetterProducer.disconnect());
    const projection = runConsumer({ kafka: testKafka(own.brokers), spec: balanceProjection(database.db), producer: deadLetterProducer, timings: TEST_TIMINGS, log });
    await projection.start();
    try {
      const row = await waitFor('projection caught up', async () => {
        const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId));
        return b && b.approvedCount >= 3_000 ? b : undefined;
      }, 60_000, 200);
      await new Promise((r) => setTimeout(r, 1_000));
      const [after] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId));
      expect(row.approvedCount).toBe(3_000);
      expect(after!.approvedCount).toBe(3_000);
      expect(after!.payable).toBe(payable);
    } finally {
      await projection.stop();
      await database.close();
    }
  });
});
