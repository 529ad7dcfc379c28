/**
 * npm run bench:relay [-- --events 50000 --runs 3 --batch 500 --relays 1]
 * Inserts N outbox events, then measures
 *   relayed events/s  = N / (time from relay start until the last row is acknowledged by Kafka and marked published)
 *   consumer events/s = N / (time for the balance projection to apply all N, exactly once)
 * on a real PostgreSQL (embedded, or BENCH_DATABASE_URL) and Apache Kafka (a fresh local cluster
 * per run, `--nodes 1` or `--nodes 3` with replication factor 3 and min.insync.replicas=2; or
 * KAFKA_BROKERS, whose topics must exist). Prints each run and the median.
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { connect } from '@/db/client';
import { startEmbeddedPostgres } from '@/db/embedded';
import { runMigrations } from '@/db/migrate';
import { merchantBalances, merchants, outbox } from '@/db/schema';
import { balanceProjection } from '@/lib/consumers/balance-projection';
import { runConsumer } from '@/lib/consumers/run-consumer';
import { createKafka, createPlainProducer, createTransactionalProducer } from '@/lib/kafka/client';
import { createTopics } from '@/lib/kafka/create-topics';
import { startLocalKafka } from '@/lib/kafka/local-cluster';
import { allTopics } from '@/lib/kafka/topics';
import { WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';
import { newId } from '@/lib/ids';
import { createOutboxRelay } from '@/lib/outbox/relay';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '500' },
    relays: { type: 'string', default: '1' },
    nodes: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('Usage: npm run bench:relay -- [--events N (50000)] [--runs R (3)] [--batch B (500)] [--relays K (1)] [--nodes 1|3 (1)]\nEnv: BENCH_DATABASE_URL (a local PostgreSQL; default: embedded), KAFKA_BROKERS (default: a fresh local Apache Kafka per run).');
  process.exit(0);
}
const N = Number(args.events);
const RUNS = Number(args.runs);
const BATCH = Number(args.batch);
const RELAYS = Number(args.relays);
const NODES = Number(args.nodes);
for (const [k, v] of Object.entries({ events: N, runs: RUNS, batch: BATCH, relays: RELAYS, nodes: NODES })) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${k} must be a positive whole number`);
    process.exit(2);
  }
}
const log = pino({ level: 'silent' });
const say = (s: string) => console.log(`[bench] ${s}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main() {
  let dbUrl = process.env.BENCH_DATABASE_URL;
  let stopPg = async () => {};
  let tmp = '';
  if (!dbUrl) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'won-bench-'));
    chmodSync(tmp, 0o755);
    say('starting embedded PostgreSQL');
    const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: 0, database: 'bench', ephemeral: true });
    dbUrl = pg.url;
    stopPg = pg.stop;
  }
  await runMigrations(dbUrl);
  const database = connect(dbUrl, { max: 10, appName: 'bench-relay' });
  const relayed: number[] = [];
  const consumed: number[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const cluster = process.env.KAFKA_BROKERS ? undefined : await startLocalKafka({ nodes: NODES, say });
      const brokers = process.env.KAFKA_BROKERS?.split(',') ?? cluster!.brokers;
      const kafka = createKafka('bench', brokers);
      if (cluster) await createTopics(kafka, allTopics(3, [WEBHOOK_NOTIFIER]), { replication: Math.min(NODES, 3), minInsync: NODES > 1 ? 2 : 1 });
      const merchantId = newId('mer');
      await database.db.insert(merchants).values({ id: merchantId, name: 'Bench' });
      await database.db.execute(sql`update outbox set published_at = now() where published_at is null`);
      say(`run ${run}/${RUNS}: inserting ${N} outbox events`);
      const now = new Date().toISOString();
      for (let i = 0; i < N; i += 5_000) {
        const rows = Array.from({ length: Math.min(5_000, N - i) }, () => {
          const paymentId = newId('pay');
          const eventId = newId('evt');
          const payload = { eventId, type: 'PaymentApproved', version: 1, occurredAt: now, merchantId, paymentId, orderId: newId('ord'), amount: 10_000, currency: 'KRW', pspPaymentKey: 'bench', platformFee: 250, approvedAt: now };
          return { eventId, eventType: 'PaymentApproved', aggregateId: paymentId, merchantId, payload };
        });
        await database.db.insert(outbox).values(rows);
      }
      const relays = Array.from({ length: RELAYS }, (_, k) => createOutboxRelay({
        database, log, batchSize: BATCH, idlePollMs: 20,
        connectProducer: async () => {
          const p = createTransactionalProducer(kafka, `bench-relay-${run}-${k}`);
          await p.connect();
          return p;
        },
      }));
      const t0 = performance.now();
      await Promise.all(relays.map((r) => r.start()));
      let last = 0;
      await waitUntil(async () => {
        const [row] = (await database.db.execute(sql`select count(*)::int as n from outbox where published_at is null`)) as unknown as { n: number }[];
        const done = N - row!.n;
        if (done - last >= N / 5) {
          say(`  relayed ${done}/${N}`);
          last = done;
        }
        return row!.n === 0;
      }, 'relay');
      const relaySeconds = (performance.now() - t0) / 1000;
      await Promise.all(relays.map((r) => r.stop()));
      relayed.push(N / relaySeconds);
      say(`  relayed ${N} in ${relaySeconds.toFixed(2)} s = ${(N / relaySeconds).toFixed(0)} events/s`);

      const producer = createPlainProducer(kafka);
      await producer.connect();
      const consumer = runConsumer({ kafka, spec: balanceProjection(database.db), producer, timings: { sessionTimeout: 6_000, maxWaitTimeInMs: 100 }, log });
      const t1 = performance.now();
      await consumer.start();
      await waitUntil(async () => {
        const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId));
        return (b?.approvedCount ?? 0) >= N;
      }, 'consumer');
      const consumeSeconds = (performance.now() - t1) / 1000;
      consumed.push(N / consumeSeconds);
      say(`  consumed ${N} in ${consumeSeconds.toFixed(2)} s = ${(N / consumeSeconds).toFixed(0)} events/s (includes the group join)`);
      await consumer.stop();
      await producer.disconnect();
      await cluster?.stop();
    }
  } finally {
    await database.close();
    await stopPg();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\nrelay: ${N} events x ${RUNS} runs, batch ${BATCH}, ${RELAYS} relay(s)`);
  console.log(`relayed events/s (median of ${RUNS}):  ${median(relayed).toFixed(0)}   runs: ${relayed.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(`consumer events/s (median of ${RUNS}): ${median(consumed).toFixed(0)}   runs: ${consumed.map((x) => x.toFixed(0)).join(', ')}`);
}

main().catch((err) => {
  console.error('[bench] failed:', err);
  process.exit(1);
});
