import { eq } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { merchantBalances } from '@/db/schema';
import { balanceProjection } from '@/lib/consumers/balance-projection';
import { runConsumer } from '@/lib/consumers/run-consumer';
import { createPlainProducer } from '@/lib/kafka/client';
import { PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';
import { createIsolatedDatabase } from '../helpers/db';
import { sharedKafka, testKafka, TEST_TIMINGS, waitFor } from '../helpers/kafka';
import { insertApprovedEvents } from '../helpers/synthetic-events';

describe('consumer groups', () => {
  it('two instances of one consumer split the partitions, and one takes over when the other stops', { timeout: 120_000 }, async () => {
    const brokers = await sharedKafka();
    const database = await createIsolatedDatabase();
    onTestFinished(() => database.close());
    const kafka = testKafka(brokers);
    const producer = createPlainProducer(kafka);
    await producer.connect();
    onTestFinished(() => producer.disconnect());

    // Which partitions each instance was handed, from kafkajs's GROUP_JOIN event.
    const assigned: Record<string, number[]> = {};
    const instance = () => {
      const spec = balanceProjection(database.db);
      const c = runConsumer({ kafka, spec, producer, timings: TEST_TIMINGS, log: pino({ level: 'silent' }) });
      return { c };
    };
    const spy = kafka.consumer.bind(kafka);
    let n = 0;
    kafka.consumer = (cfg) => {
      const consumer = spy(cfg);
      const name = `instance-${++n}`;
      consumer.on(consumer.events.GROUP_JOIN, (e) => { assigned[name] = e.payload.memberAssignment[PAYMENT_EVENTS_TOPIC] ?? []; });
      return consumer;
    };
    const a = instance();
    const b = instance();
    await Promise.all([a.c.start(), b.c.start()]);
    // The first to join briefly holds all six partitions, until the second's join rebalances the
    // group: wait for the settled split (each instance's latest assignment), not the first one.
    await waitFor('both instances assigned', () => Object.keys(assigned).length === 2 && Object.values(assigned).every((p) => p.length > 0)
      && Object.values(assigned).reduce((n, p) => n + p.length, 0) === 6, 60_000, 200);
    const [pa, pb] = Object.values(assigned) as [number[], number[]];
    expect([...pa, ...pb].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5]); // split, no overlap
    expect(pa.some((p) => pb.includes(p))).toBe(false);

    const first = await insertApprovedEvents(database.db, 0);
    const send = async (count: number) => {
      const { events } = await insertApprovedEvents(database.db, count, { merchantId: first.merchantId });
      await producer.send({ topic: PAYMENT_EVENTS_TOPIC, messages: events.map((e) => ({ key: e.paymentId, value: JSON.stringify(e) })) });
    };
    const approved = async () => (await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, first.merchantId)))[0]?.approvedCount ?? 0;
    await send(200);
    await waitFor('200 applied by the two instances', async () => (await approved()) === 200, 60_000, 200);

    await a.c.stop(); // one instance leaves; the other must take over all partitions
    await send(200);
    await waitFor('the survivor applies the next 200', async () => (await approved()) === 400, 60_000, 200);
    expect(Object.values(assigned).some((p) => p.length === 6)).toBe(true);
    await b.c.stop();
    expect(await approved()).toBe(400);
  });
});
