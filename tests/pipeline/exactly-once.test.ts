import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetters, merchantBalances } from '@/db/schema';
import { applyBalanceEvents, balanceProjection } from '@/lib/consumers/balance-projection';
import { runDeadLetterRecorder } from '@/lib/consumers/dead-letter-recorder';
import { runConsumer, type Delivered } from '@/lib/consumers/run-consumer';
import { createPlainProducer } from '@/lib/kafka/client';
import { PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';
import { createIsolatedDatabase } from '../helpers/db';
import { sharedKafka, testKafka, TEST_TIMINGS, waitFor } from '../helpers/kafka';
import { insertApprovedEvents } from '../helpers/synthetic-events';

const log = pino({ level: 'silent' });
let brokers: string[];
let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;

beforeAll(async () => {
  brokers = await sharedKafka();
  database = await createIsolatedDatabase();
});
afterAll(async () => {
  await database.close();
});

const balanceOf = async (merchantId: string) => (await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId)))[0];

describe('consumers apply each event exactly once', () => {
  it('the same event handed over twice (also within one batch) changes the projection once', async () => {
    const { events: [event], merchantId } = await insertApprovedEvents(database.db, 1);
    const delivered: Delivered = { event: event!, topic: PAYMENT_EVENTS_TOPIC, partition: 0, offset: '0', headers: {} };
    expect(await applyBalanceEvents(database.db, [delivered, delivered])).toBe(1);
    expect(await applyBalanceEvents(database.db, [delivered])).toBe(0);
    const b = await balanceOf(merchantId);
    expect(b?.approvedCount).toBe(1);
    expect(b?.payable).toBe(BigInt(event!.amount) - BigInt(event!.type === 'PaymentApproved' ? event!.platformFee : 0));
  });

  it('over Kafka: a duplicate message is absorbed, and an invalid payload is dead-lettered without stopping the consumer', { timeout: 90_000 }, async () => {
    const kafka = testKafka(brokers);
    const producer = createPlainProducer(kafka);
    await producer.connect();
    const { events: [event], merchantId } = await insertApprovedEvents(database.db, 1);
    const value = JSON.stringify(event);
    await producer.send({ topic: PAYMENT_EVENTS_TOPIC, messages: [
      { key: event!.paymentId, value },
      { key: 'garbage', value: '{"type":"PaymentApproved","amount":"lots"}' },
      { key: 'not-json', value: 'this is not json' },
      { key: event!.paymentId, value },
    ] });
    const projection = runConsumer({ kafka, spec: balanceProjection(database.db), producer, timings: TEST_TIMINGS, log });
    const recorder = runDeadLetterRecorder({ kafka, db: database.db, timings: TEST_TIMINGS, log });
    await Promise.all([projection.start(), recorder.start()]);
    try {
      await waitFor('the projection', async () => (await balanceOf(merchantId))?.approvedCount === 1, 60_000, 200);
      const letters = await waitFor('two dead letters', async () => {
        const rows = await database.db.select().from(deadLetters).where(eq(deadLetters.consumer, 'balance-projection'));
        return rows.length >= 2 ? rows : undefined;
      }, 60_000, 200);
      expect(letters.map((l) => l.rawValue ?? JSON.stringify(l.payload)).sort()).toEqual(['{"type":"PaymentApproved","amount":"lots"}', 'this is not json'].sort());
      expect(letters.every((l) => l.error.length > 0)).toBe(true);
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await balanceOf(merchantId))?.approvedCount).toBe(1);
    } finally {
      await Promise.all([projection.stop(), recorder.stop()]);
      await producer.disconnect();
    }
  });
});
