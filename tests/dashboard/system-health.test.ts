import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { getSystemHealth } from '@/lib/dashboard/system-health';
import { beat } from '@/lib/workers/heartbeat';
import { createIsolatedDatabase } from '../helpers/db';
import { createShop } from '../helpers/fixtures';

// Health is platform-wide (heartbeats, the whole outbox): a database of its own.
let database: Database;
beforeAll(async () => {
  database = await createIsolatedDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('system health', () => {
  it('calls a worker down until it beats, and again when its beats are older than three intervals', async () => {
    const { db } = database;
    const before = await getSystemHealth(db);
    expect(before.workers.map((w) => [w.name, w.alive])).toEqual([['outbox-relay', false], ['consumers', false], ['recovery', false]]);
    expect(before.problems).toEqual(['outbox-relay', 'consumers', 'recovery'].map((worker) => ({ kind: 'worker-down', worker, lastBeatAt: null })));

    await beat(db, 'outbox-relay', 'host:1');
    await beat(db, 'outbox-relay', 'host:2');
    await beat(db, 'consumers', 'host:3');
    await beat(db, 'recovery', 'host:4');
    const up = await getSystemHealth(db);
    expect(up.workers.map((w) => [w.name, w.alive, w.instances])).toEqual([['outbox-relay', true, 2], ['consumers', true, 1], ['recovery', true, 1]]);
    expect(up.problems).toEqual([]);

    // The consumers' last beat 16 s ago: three 5 s intervals missed.
    await db.execute(sql`update worker_heartbeats set beat_at = now() - interval '16 seconds' where name = 'consumers'`);
    const down = await getSystemHealth(db);
    expect(down.workers.find((w) => w.name === 'consumers')).toMatchObject({ alive: false, instances: 0 });
    expect(down.problems).toHaveLength(1);
    expect(down.problems[0]).toMatchObject({ kind: 'worker-down', worker: 'consumers', lastBeatAt: expect.any(Date) });
  });

  it('reports an outbox backlog older than a minute, the dead letters and the last reconciliation', async () => {
    const { db } = database;
    await db.execute(sql`update worker_heartbeats set beat_at = now()`);
    const shop = await createShop(db);
    await db.execute(sql`insert into outbox (event_id, event_type, aggregate_id, merchant_id, payload) values ('evt_health', 'PaymentApproved', 'pay_health', ${shop.merchantId}, '{}')`);
    const fresh = await getSystemHealth(db);
    expect(fresh.outbox.backlog).toBe(1);
    expect(fresh.problems).toEqual([]); // waiting a moment is normal

    await db.execute(sql`update outbox set created_at = now() - interval '90 seconds' where published_at is null`);
    await db.execute(sql`insert into dead_letters (consumer, source_topic, error, attempts) values ('balance-projection', 'payments', 'boom', 3)`);
    await db.execute(sql`insert into reconciliation_runs (id, from_date, to_date, trigger, finished_at, error) values ('rec_health', '2026-01-01', '2026-01-01', 'schedule', now(), 'could not read PSP settlements')`);
    const stale = await getSystemHealth(db);
    expect(stale.problems).toHaveLength(1);
    expect(stale.problems[0]).toMatchObject({ kind: 'outbox-stale', backlog: 1 });
    expect((stale.problems[0] as { oldestAgeSeconds: number }).oldestAgeSeconds).toBeGreaterThanOrEqual(80);
    expect((stale.problems[0] as { oldestAgeSeconds: number }).oldestAgeSeconds).toBeLessThan(100);
    expect(stale.deadLetters).toBe(1);
    expect(stale.lastReconciliation).toMatchObject({ error: 'could not read PSP settlements' });
  });
});
