import { beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTransactionalProducer } from '@/lib/kafka/client';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { createIsolatedDatabase } from '../helpers/db';
import { collectTopic, sharedKafka, testKafka, waitFor } from '../helpers/kafka';
import { insertApprovedEvents, unpublishedCount } from '../helpers/synthetic-events';

const log = pino({ level: 'silent' });
let brokers: string[];

beforeAll(async () => {
  brokers = await sharedKafka();
});

function relayFor(database: Awaited<ReturnType<typeof createIsolatedDatabase>>, instance: string, batchSize = 500) {
  const client = testKafka(brokers);
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
    const observer = await collectTopic(testKafka(brokers));
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
});
