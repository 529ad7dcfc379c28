import { eq } from 'drizzle-orm';
import pino from 'pino';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { merchantBalances } from '@/db/schema';
import { balanceProjection } from '@/lib/consumers/balance-projection';
import { runConsumer } from '@/lib/consumers/run-consumer';
import { createPlainProducer } from '@/lib/kafka/client';
import { createIsolatedDatabase } from '../helpers/db';
import { collectTopic, sharedKafka, spawnWorker, testKafka, TEST_TIMINGS, waitFor } from '../helpers/kafka';
import { insertApprovedEvents, unpublishedCount } from '../helpers/synthetic-events';

/**
 * The relay's Kafka transactions on the real broker: what a relay sent but never committed is
 * invisible to read_committed consumers, and a relay that comes back from the dead is fenced.
 * Both relays run as processes: tests/helpers/relay-process.ts stops in its first transaction
 * between the sends and the commit, where these tests SIGKILL or SIGSTOP it.
 */
const log = pino({ level: 'silent' });
let brokers: string[];

beforeAll(async () => {
  brokers = await sharedKafka();
});

type Worker = ReturnType<typeof spawnWorker>;
const exited = (w: Worker) => (w.exitCode !== null || w.signalCode !== null ? Promise.resolve() : new Promise((r) => w.once('exit', r)));
function stopAtEnd(w: Worker) {
  onTestFinished(async () => {
    if (w.exitCode === null && w.signalCode === null) {
      w.kill('SIGCONT');
      w.kill('SIGKILL');
    }
    await exited(w);
  });
}
const countsOf = (messages: { eventId: string }[], ids: Set<string>) => {
  const counts = new Map<string, number>();
  for (const m of messages) if (ids.has(m.eventId)) counts.set(m.eventId, (counts.get(m.eventId) ?? 0) + 1);
  return counts;
};

describe('relay transactions on Apache Kafka', () => {
  it('a relay SIGKILLed between its sends and its commit: read_committed never sees that batch, and after a restart every event takes effect once', { timeout: 180_000 }, async () => {
    const database = await createIsolatedDatabase();
    onTestFinished(() => database.close());
    const { events, merchantId, payable } = await insertApprovedEvents(database.db, 300);
    const ids = new Set(events.map((e) => e.eventId));
    const kafka = testKafka(brokers);
    const committed = await collectTopic(kafka);
    onTestFinished(() => committed.stop());
    const uncommitted = await collectTopic(kafka, undefined, { readUncommitted: true });
    onTestFinished(() => uncommitted.stop());
    const env = { DATABASE_URL: database.url, KAFKA_BROKERS: brokers.join(','), RELAY_INSTANCE_ID: 'kill-before-commit', RELAY_BATCH_SIZE: '100', RELAY_IDLE_POLL_MS: '50' };

    const doomed = spawnWorker('tests/helpers/relay-process.ts', env);
    stopAtEnd(doomed);
    await waitFor('the first batch sent, not committed', () => doomed.output().includes('SENT'), 60_000, 20);
    // The sends reached the log (a read_uncommitted reader sees them) ...
    await waitFor('the uncommitted batch in the log', () => countsOf(uncommitted.messages, ids).size === 100, 30_000, 50);
    doomed.kill('SIGKILL');
    await exited(doomed);
    expect(await unpublishedCount(database.db)).toBe(300); // the database rolled back with the process
    await new Promise((r) => setTimeout(r, 1_000));
    expect(countsOf(committed.messages, ids).size).toBe(0); // ... and read_committed shows none of them

    // The relay's next life (same instance id, the real worker) aborts the open transaction at once.
    const relay = spawnWorker('workers/outbox-relay.ts', env);
    stopAtEnd(relay);
    await waitFor('outbox drained after restart', async () => (await unpublishedCount(database.db)) === 0, 90_000, 100);
    await waitFor('every event committed', () => countsOf(committed.messages, ids).size === 300, 60_000, 100);
    await new Promise((r) => setTimeout(r, 500));
    const counts = countsOf(committed.messages, ids);
    expect([...counts.values()].every((n) => n === 1)).toBe(true); // the aborted copies stayed hidden
    // The aborted batch is still in the log, twice for read_uncommitted: the test above could fail.
    await waitFor('the re-sent batch in the log', () => [...countsOf(uncommitted.messages, ids).values()].filter((n) => n === 2).length === 100, 30_000, 100);

    const producer = createPlainProducer(kafka);
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const projection = runConsumer({ kafka, spec: balanceProjection(database.db), producer, timings: TEST_TIMINGS, log });
    await projection.start();
    onTestFinished(() => projection.stop());
    await waitFor('projection caught up', async () => {
      const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId));
      return (b?.approvedCount ?? 0) >= 300;
    }, 60_000, 100);
    await new Promise((r) => setTimeout(r, 1_000));
    const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId));
    expect(b!.approvedCount).toBe(300);
    expect(b!.payable).toBe(payable);
  });

  it('a zombie relay (SIGSTOP mid-transaction; a new relay takes its transactional id; SIGCONT): it is fenced and nothing is published twice', { timeout: 180_000 }, async () => {
    const database = await createIsolatedDatabase();
    onTestFinished(() => database.close());
    const { events } = await insertApprovedEvents(database.db, 1_000);
    const ids = new Set(events.map((e) => e.eventId));
    const committed = await collectTopic(testKafka(brokers));
    onTestFinished(() => committed.stop());
    const env = { DATABASE_URL: database.url, KAFKA_BROKERS: brokers.join(','), RELAY_INSTANCE_ID: 'zombie', RELAY_BATCH_SIZE: '100', RELAY_IDLE_POLL_MS: '50' };

    // A holds its first transaction open for 2 s before committing; it is frozen inside that wait.
    const a = spawnWorker('tests/helpers/relay-process.ts', { ...env, HOLD_BEFORE_COMMIT_MS: '2000' });
    stopAtEnd(a);
    await waitFor('A inside its first transaction', () => a.output().includes('SENT'), 60_000, 5);
    a.kill('SIGSTOP');
    // B, its replacement with the same instance id, fences A and relays everything A does not hold.
    const b = spawnWorker('workers/outbox-relay.ts', env);
    stopAtEnd(b);
    await waitFor('B relayed all but the rows A holds', async () => (await unpublishedCount(database.db)) === 100, 90_000, 100);
    a.kill('SIGCONT'); // A wakes up and commits: Kafka refuses (fenced), its database transaction rolls back
    await waitFor('A fenced', () => a.output().includes('fenced by a newer one'), 30_000, 50);
    await waitFor('outbox drained', async () => (await unpublishedCount(database.db)) === 0, 90_000, 100);
    await waitFor('every event committed', () => countsOf(committed.messages, ids).size === 1_000, 60_000, 100);
    await new Promise((r) => setTimeout(r, 1_000));
    const twice = [...countsOf(committed.messages, ids).values()].filter((n) => n > 1);
    expect(twice).toEqual([]);
  });
});
