import { eq } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { merchantBalances } from '@/db/schema';
import { balanceProjection } from '@/lib/consumers/balance-projection';
import { runConsumer } from '@/lib/consumers/run-consumer';
import { createIsolatedDatabase } from '../helpers/db';
import { collectTopic, sharedKafka, spawnWorker, testKafka, TEST_TIMINGS, waitFor } from '../helpers/kafka';
import { insertApprovedEvents, unpublishedCount } from '../helpers/synthetic-events';

const log = pino({ level: 'silent' });

describe('outbox relay crash', () => {
  it('a relay killed with SIGKILL mid-batch loses nothing, and the projection counts each event once', { timeout: 180_000 }, async () => {
    // This file's own topics on the shared broker: they hold only this test's events.
    const brokers = await sharedKafka();
    const database = await createIsolatedDatabase();
    const { events, merchantId, payable } = await insertApprovedEvents(database.db, 3_000);
    const observer = await collectTopic(testKafka(brokers));
    const env = { DATABASE_URL: database.url, KAFKA_BROKERS: brokers.join(','), RELAY_BATCH_SIZE: '50', RELAY_INSTANCE_ID: 'kill-test', RELAY_IDLE_POLL_MS: '50' };
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
    const deadLetterProducer = testKafka(brokers).producer();
    await deadLetterProducer.connect();
    onTestFinished(() => deadLetterProducer.disconnect());
    const projection = runConsumer({ kafka: testKafka(brokers), spec: balanceProjection(database.db), producer: deadLetterProducer, timings: TEST_TIMINGS, log });
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
