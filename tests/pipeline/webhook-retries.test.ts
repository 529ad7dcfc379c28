import http from 'node:http';
import { and, asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumedEvents, deadLetters, merchants, webhookDeliveries } from '@/db/schema';
import { runDeadLetterRecorder } from '@/lib/consumers/dead-letter-recorder';
import { runConsumer } from '@/lib/consumers/run-consumer';
import { webhookNotifier, WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';
import { verifyWebhook } from '@/lib/consumers/webhook-signature';
import { replayDeadLetter } from '@/lib/dead-letters/replay-dead-letter';
import { createPlainProducer, createTransactionalProducer } from '@/lib/kafka/client';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { createIsolatedDatabase } from '../helpers/db';
import { sharedKafka, testKafka, TEST_TIMINGS, waitFor } from '../helpers/kafka';
import { insertApprovedEvents } from '../helpers/synthetic-events';

const log = pino({ level: 'silent' });
const SECRET = 'whsec_test_secret';
const DELAYS = [300, 600];
let brokers: string[];
let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let endpoint: http.Server;
let endpointUrl = '';
let answer = 500;
const received: { eventId: string; status: number; validSignature: boolean; at: number }[] = [];
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  brokers = await sharedKafka();
  database = await createIsolatedDatabase();
  endpoint = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const eventId = String(req.headers['won-event-id']);
      const validSignature = verifyWebhook(SECRET, body, String(req.headers['won-signature']), Math.floor(Date.now() / 1000));
      received.push({ eventId, status: answer, validSignature, at: Date.now() });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', () => r()));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}/hooks`;

  const kafka = testKafka(brokers);
  const producer = createPlainProducer(kafka);
  await producer.connect();
  const relay = createOutboxRelay({
    database, log, batchSize: 100, idlePollMs: 50,
    connectProducer: async () => {
      const p = createTransactionalProducer(kafka, `relay-webhooks-${Math.random()}`);
      await p.connect();
      return p;
    },
  });
  await relay.start();
  // The receivers are local servers: the test opts in to private addresses as local development does.
  const options = { db: database.db, producer, log, retryDelaysMs: DELAYS, timeoutMs: 2_000, allowPrivateUrls: true };
  const consumers = [0, 1, 2].map((level) => runConsumer({ kafka, spec: webhookNotifier(options, level), producer, timings: TEST_TIMINGS, log }));
  const recorder = runDeadLetterRecorder({ kafka, db: database.db, timings: TEST_TIMINGS, log });
  await Promise.all([...consumers.map((c) => c.start()), recorder.start()]);
  stops.push(relay.stop, ...consumers.map((c) => c.stop), recorder.stop, () => producer.disconnect());
}, 60_000);

afterAll(async () => {
  for (const stop of stops) await stop().catch(() => {});
  await database.close();
  await new Promise((r) => endpoint.close(r));
});

describe('merchant webhook notifier', () => {
  it('retries a failing endpoint with growing delays, dead-letters it, and a replay after recovery delivers once', { timeout: 120_000 }, async () => {
    const { db } = database;
    const { merchantId, events } = await insertApprovedEvents(db, 0);
    await db.update(merchants).set({ webhookUrl: endpointUrl, webhookSecret: SECRET }).where(eq(merchants.id, merchantId));
    const { events: [event] } = await insertApprovedEvents(db, 1, { merchantId });
    expect(events).toHaveLength(0);

    const letter = await waitFor('the dead letter', async () => {
      const [row] = await db.select().from(deadLetters).where(and(eq(deadLetters.consumer, WEBHOOK_NOTIFIER), eq(deadLetters.eventId, event!.eventId)));
      return row;
    }, 90_000, 200);
    expect(letter.attempts).toBe(DELAYS.length + 1);
    expect(letter.merchantId).toBe(merchantId);
    expect(letter.error).toBe('HTTP 500');

    const attempts = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, event!.eventId)).orderBy(asc(webhookDeliveries.id));
    expect(attempts.map((a) => [a.attempt, a.statusCode])).toEqual([[1, 500], [2, 500], [3, 500]]);
    const gaps = attempts.slice(1).map((a, i) => a.createdAt.getTime() - attempts[i]!.createdAt.getTime());
    expect(gaps[0]).toBeGreaterThanOrEqual(DELAYS[0]! - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(DELAYS[1]! - 5);
    expect(received.every((r) => r.validSignature)).toBe(true);

    // The endpoint recovers; the merchant replays the dead letter twice.
    answer = 200;
    const first = await replayDeadLetter(db, merchantId, letter.id);
    const second = await replayDeadLetter(db, merchantId, letter.id);
    expect(first).toEqual({ replayed: true });
    expect(second).toEqual({ replayed: false, reason: 'already-replayed' });

    await waitFor('the replayed event delivered', async () => {
      const [done] = await db.select().from(consumedEvents).where(and(eq(consumedEvents.consumer, WEBHOOK_NOTIFIER), eq(consumedEvents.eventId, event!.eventId)));
      return done;
    }, 30_000, 100);
    await new Promise((r) => setTimeout(r, 1_500)); // a second delivery would arrive here
    const successes = received.filter((r) => r.eventId === event!.eventId && r.status === 200);
    expect(successes).toHaveLength(1);
    expect(successes[0]!.validSignature).toBe(true);

    // Another merchant cannot replay it.
    await expect(replayDeadLetter(db, 'mer_someone_else', letter.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
