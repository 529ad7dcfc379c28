import { beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { merchants, outbox } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createTransactionalProducer } from '@/lib/kafka/client';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { createIsolatedDatabase } from '../helpers/db';
import { collectTopic, sharedKafka, testKafka, waitFor } from '../helpers/kafka';
import { unpublishedCount } from '../helpers/synthetic-events';

const log = pino({ level: 'silent' });
const PAYMENTS = 200;
const EVENTS_PER_PAYMENT = 5;
const TOTAL = PAYMENTS * EVENTS_PER_PAYMENT;
let brokers: string[];

beforeAll(async () => {
  brokers = await sharedKafka();
});

describe('outbox relay order per key', () => {
  it('3 relays, 200 payments x 5 events inserted interleaved while they run: each payment\'s events arrive in outbox order, none lost', { timeout: 180_000 }, async () => {
    const database = await createIsolatedDatabase();
    const merchantId = newId('mer');
    await database.db.insert(merchants).values({ id: merchantId, name: 'Order' });
    const paymentIds = Array.from({ length: PAYMENTS }, () => newId('pay'));
    const observer = await collectTopic(testKafka(brokers));
    const client = testKafka(brokers);
    // Small batches, so one payment's events fall into different relays' batches.
    const relays = ['a', 'b', 'c'].map((instance) => createOutboxRelay({
      database, log, batchSize: 3, idlePollMs: 20,
      connectProducer: async () => {
        const p = createTransactionalProducer(client, `test-order-${instance}-${Math.random()}`);
        await p.connect();
        return p;
      },
    }));
    await Promise.all(relays.map((r) => r.start()));
    try {
      // Payments four at a time, their events interleaved (P1e1 P2e1 P3e1 P4e1 P1e2 ...) and
      // written four rows per transaction while the relays run: one payment's events sit a few
      // rows apart, so the three relays' small batches keep splitting a payment between them.
      for (let g = 0; g < PAYMENTS; g += 4) {
        const group = paymentIds.slice(g, g + 4);
        for (let seq = 1; seq <= EVENTS_PER_PAYMENT; seq++) {
          await database.db.insert(outbox).values(group.map((paymentId) => ({
            eventId: newId('evt'), eventType: 'Synthetic', aggregateId: paymentId, merchantId,
            payload: { paymentId, seq },
          })));
        }
      }
      await waitFor('outbox drained', async () => (await unpublishedCount(database.db)) === 0, 120_000);
      await waitFor(`${TOTAL} messages observed`, () => observer.messages.length >= TOTAL, 30_000);
      await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up here
    } finally {
      await Promise.all([...relays.map((r) => r.stop()), observer.stop()]);
    }
    const rows = (await database.db.execute(sql`select event_id, aggregate_id from outbox order by id`)) as unknown as { event_id: string; aggregate_id: string }[];
    await database.close();

    const ids = observer.messages.map((m) => m.eventId);
    expect(new Set(ids)).toEqual(new Set(rows.map((r) => r.event_id)));
    expect(ids).toHaveLength(TOTAL);

    // Per key: the order the topic holds is the outbox order (id order, the payment's sequence).
    const expected = new Map<string, string[]>();
    for (const r of rows) expected.set(r.aggregate_id, [...(expected.get(r.aggregate_id) ?? []), r.event_id]);
    const seen = new Map<string, string[]>();
    for (const m of observer.messages) seen.set(m.key, [...(seen.get(m.key) ?? []), m.eventId]);
    const outOfOrder = [...expected].filter(([key, events]) => JSON.stringify(seen.get(key)) !== JSON.stringify(events)).map(([key]) => key);
    expect(outOfOrder).toEqual([]);
    // And the payload's own sequence agrees.
    for (const m of observer.messages.filter((x) => x.key === paymentIds[0])) expect(m.value.paymentId).toBe(paymentIds[0]);
    expect(observer.messages.filter((x) => x.key === paymentIds[0]).map((m) => m.value.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
