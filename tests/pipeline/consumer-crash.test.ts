import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { consumedEvents, merchantBalances } from '@/db/schema';
import { createIsolatedDatabase } from '../helpers/db';
import { sharedKafka, spawnWorker, waitFor } from '../helpers/kafka';
import { insertApprovedEvents, unpublishedCount } from '../helpers/synthetic-events';

describe('consumer crash', () => {
  it('one of two consumer processes SIGKILLed mid-batch: the group rebalances, 0 events lost, 0 effects twice', { timeout: 180_000 }, async () => {
    const brokers = await sharedKafka();
    const database = await createIsolatedDatabase();
    onTestFinished(() => database.close());
    const env = {
      DATABASE_URL: database.url, KAFKA_BROKERS: brokers.join(','), CONSUMERS: 'balance-projection',
      KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_MAX_WAIT_MS: '100', RELAY_INSTANCE_ID: 'consumer-crash', RELAY_IDLE_POLL_MS: '50', RELAY_BATCH_SIZE: '200',
    };
    const workers = [spawnWorker('workers/consumers/index.ts', env), spawnWorker('workers/consumers/index.ts', env)];
    onTestFinished(async () => {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
      await Promise.all(workers.map((w) => (w.exitCode === null && w.signalCode === null ? new Promise((r) => w.once('exit', r)) : undefined)));
    });
    const relay = spawnWorker('workers/outbox-relay.ts', env);
    workers.push(relay);

    const { events, merchantId, payable } = await insertApprovedEvents(database.db, 4_000);
    const approved = async () => (await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId)))[0]?.approvedCount ?? 0;
    // Killed while applying: some events done, most not.
    await waitFor('the projection under way', async () => (await approved()) > 200, 90_000, 20);
    const victim = workers[0]!;
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));
    const atKill = await approved();
    expect(atKill).toBeLessThan(4_000);

    await waitFor('outbox drained', async () => (await unpublishedCount(database.db)) === 0, 90_000, 100);
    await waitFor('the survivor applied every event', async () => (await approved()) >= 4_000, 90_000, 100);
    await new Promise((r) => setTimeout(r, 1_500)); // a double effect would land here
    const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId));
    expect(b!.approvedCount).toBe(events.length);
    expect(b!.payable).toBe(payable);
    const consumed = await database.db.select({ eventId: consumedEvents.eventId }).from(consumedEvents).where(eq(consumedEvents.consumer, 'balance-projection'));
    expect(new Set(consumed.map((c) => c.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
  });
});
