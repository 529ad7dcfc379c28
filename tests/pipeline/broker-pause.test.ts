import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTransactionalProducer } from '@/lib/kafka/client';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { createIsolatedDatabase } from '../helpers/db';
import { collectTopic, startTestKafka, testKafka, waitFor } from '../helpers/kafka';
import { insertApprovedEvents, unpublishedCount } from '../helpers/synthetic-events';

describe('broker unavailable', () => {
  it('the whole cluster paused for 15 s (SIGSTOP/SIGCONT): nothing is lost', { timeout: 150_000 }, async () => {
    const cluster = await startTestKafka();
    onTestFinished(async () => {
      process.kill(cluster.pid, 'SIGCONT');
      await cluster.stop();
    });
    const database = await createIsolatedDatabase();
    onTestFinished(() => database.close());
    const kafka = testKafka(cluster.brokers);
    const relay = createOutboxRelay({
      database, log: pino({ level: 'silent' }), batchSize: 50, idlePollMs: 50,
      connectProducer: async () => {
        const p = createTransactionalProducer(kafka, 'relay-pause');
        await p.connect();
        return p;
      },
    });
    const observer = await collectTopic(kafka);
    onTestFinished(() => observer.stop());
    await relay.start();
    onTestFinished(() => relay.stop());

    const before = await insertApprovedEvents(database.db, 200);
    await waitFor('first events published', async () => (await unpublishedCount(database.db)) === 0, 30_000);

    process.kill(cluster.pid, 'SIGSTOP');
    const during = await insertApprovedEvents(database.db, 300, { merchantId: before.merchantId });
    await new Promise((r) => setTimeout(r, 15_000));
    expect(await unpublishedCount(database.db)).toBeGreaterThan(0); // the outage really held them back
    process.kill(cluster.pid, 'SIGCONT');

    await waitFor('outbox drained after the pause', async () => (await unpublishedCount(database.db)) === 0, 90_000, 200);
    const expected = [...before.events, ...during.events].map((e) => e.eventId);
    await waitFor('all 500 events observed', () => expected.every((id) => observer.messages.some((m) => m.eventId === id)), 60_000, 200);
    const ids = observer.messages.map((m) => m.eventId);
    expect(new Set(ids).size).toBe(500);
    expect(new Set(ids)).toEqual(new Set(expected));
    // Duplicates are allowed here, and explained by the fault: the observer's session expires
    // during the pause, so it re-reads uncommitted offsets; and a batch the relay aborted on
    // timeout stays visible on the mock (it does not hide aborted transactions) before the
    // relay sends it again. Consumers absorb both by eventId (see exactly-once.test.ts).
    expect(ids.length).toBeGreaterThanOrEqual(500);
  });
});
