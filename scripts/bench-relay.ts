/**
 * npm run bench:relay [-- --events 50000 --runs 3 --batch 500 --relays 1 --nodes 1 --rate 1000 --seconds 20]
 * Inserts N outbox events, then measures
 *   relayed events/s  = N / (time from relay start until the last row is acknowledged by Kafka and marked published)
 *   consumer events/s = N / (time for the balance projection to apply all N, exactly once)
 *   CPU ms per event  = CPU time of this process (relay + consumer) and of the broker JVMs, / N
 * then, with relay and consumer running, feeds the outbox at a steady --rate for --seconds and
 * reports end-to-end latency p50/p99/max: outbox insert (outbox.created_at) to the projection's
 * effect (consumed_events.consumed_at, its transaction's start), both PostgreSQL's clock.
 * on a real PostgreSQL (embedded, or BENCH_DATABASE_URL) and Apache Kafka (a fresh local cluster
 * per run, `--nodes 1` or `--nodes 3` with replication factor 3 and min.insync.replicas=2; or
 * KAFKA_BROKERS, whose topics must exist). Prints each run and the median.
 */
import { mkdtempSync, chmodSync, readFileSync, rmSync } from 'node:fs';
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
import { startLocalKafka, type LocalKafka } from '@/lib/kafka/local-cluster';
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
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('Usage: npm run bench:relay -- [--events N (50000)] [--runs R (3)] [--batch B (500)] [--relays K (1)] [--nodes 1|3 (1)] [--rate EVENTS_PER_S (1000)] [--seconds S (20; 0 = no latency phase)]\nEnv: BENCH_DATABASE_URL (a local PostgreSQL; default: embedded), KAFKA_BROKERS (default: a fresh local Apache Kafka per run).');
  process.exit(0);
}
const N = Number(args.events);
const RUNS = Number(args.runs);
const BATCH = Number(args.batch);
const RELAYS = Number(args.relays);
const NODES = Number(args.nodes);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
for (const [k, v] of Object.entries({ events: N, runs: RUNS, batch: BATCH, relays: RELAYS, nodes: NODES, rate: RATE, seconds: SECONDS + 1 })) {
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
  const relayCpu: { node: number; broker: number }[] = [];
  let latency: { p50: number; p99: number; max: number; n: number } | undefined;
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
      const cpu0 = cpuMs(cluster);
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
      const cpu1 = cpuMs(cluster);
      relayCpu.push({ node: (cpu1.node - cpu0.node) / N, broker: (cpu1.broker - cpu0.broker) / N });
      say(`  relayed ${N} in ${relaySeconds.toFixed(2)} s = ${(N / relaySeconds).toFixed(0)} events/s; CPU ms/event: relay process ${((cpu1.node - cpu0.node) / N).toFixed(3)}, broker ${((cpu1.broker - cpu0.broker) / N).toFixed(3)}`);

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
    if (SECONDS > 0) latency = await latencyPhase(database);
  } finally {
    await database.close();
    await stopPg();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\nrelay: ${N} events x ${RUNS} runs, batch ${BATCH}, ${RELAYS} relay(s)`);
  console.log(`relayed events/s (median of ${RUNS}):  ${median(relayed).toFixed(0)}   runs: ${relayed.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(`consumer events/s (median of ${RUNS}): ${median(consumed).toFixed(0)}   runs: ${consumed.map((x) => x.toFixed(0)).join(', ')}`);
  if (relayCpu.length) console.log(`CPU ms/event while relaying (median): relay process ${median(relayCpu.map((c) => c.node)).toFixed(3)}, broker JVMs ${median(relayCpu.map((c) => c.broker)).toFixed(3)}`);
  if (latency) console.log(`end-to-end at ${RATE} events/s for ${SECONDS} s (${latency.n} events): p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`);
}

/** CPU time so far of this process and of the broker JVMs (from /proc), in ms. */
function cpuMs(cluster: LocalKafka | undefined): { node: number; broker: number } {
  const { user, system } = process.cpuUsage();
  let broker = 0;
  for (const n of cluster?.nodes ?? []) {
    try {
      const fields = readFileSync(`/proc/${n.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      broker += (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 1/100 s
    } catch { /* not running */ }
  }
  return { node: (user + system) / 1000, broker };
}

/** Relay and projection running; the outbox fed at RATE events/s; latency from insert to effect. */
async function latencyPhase(database: ReturnType<typeof connect>) {
  const cluster = process.env.KAFKA_BROKERS ? undefined : await startLocalKafka({ nodes: NODES, say });
  const brokers = process.env.KAFKA_BROKERS?.split(',') ?? cluster!.brokers;
  const kafka = createKafka('bench-latency', brokers);
  if (cluster) await createTopics(kafka, allTopics(3, [WEBHOOK_NOTIFIER]), { replication: Math.min(NODES, 3), minInsync: NODES > 1 ? 2 : 1 });
  const merchantId = newId('mer');
  await database.db.insert(merchants).values({ id: merchantId, name: 'Bench latency' });
  await database.db.execute(sql`update outbox set published_at = now() where published_at is null`);
  const relay = createOutboxRelay({
    database, log, batchSize: BATCH, idlePollMs: 1_000, // woken by the outbox NOTIFY, as in production
    connectProducer: async () => {
      const p = createTransactionalProducer(kafka, 'bench-latency-relay');
      await p.connect();
      return p;
    },
  });
  const producer = createPlainProducer(kafka);
  await producer.connect();
  const consumer = runConsumer({ kafka, spec: balanceProjection(database.db), producer, timings: { sessionTimeout: 6_000, maxWaitTimeInMs: 100 }, log });
  await Promise.all([relay.start(), consumer.start()]);
  try {
    // Warm-up: the group joined and the first transaction done before the clock starts.
    await insertEvents(database, merchantId, 10);
    await waitUntil(async () => applied(database, merchantId, 10), 'warm-up');
    say(`latency: ${RATE} events/s for ${SECONDS} s`);
    const tickMs = 10;
    const perTick = RATE * tickMs / 1_000;
    const start = performance.now();
    let sent = 0;
    const eventIds: string[] = [];
    while (performance.now() - start < SECONDS * 1_000) {
      const due = Math.floor(((performance.now() - start) / 1_000) * RATE);
      if (due > sent) {
        const n = Math.min(due - sent, perTick * 10);
        eventIds.push(...await insertEvents(database, merchantId, n));
        sent += n;
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    await waitUntil(async () => applied(database, merchantId, 10 + sent), 'latency events applied');
    const [row] = (await database.db.execute(sql`
      select count(*)::int as n,
        percentile_cont(0.5) within group (order by ms) as p50,
        percentile_cont(0.99) within group (order by ms) as p99,
        max(ms) as max
      from (
        select extract(epoch from (c.consumed_at - o.created_at)) * 1000 as ms
        from outbox o join consumed_events c on c.event_id = o.event_id and c.consumer = 'balance-projection'
        where o.event_id = any(string_to_array(${eventIds.join(',')}, ','))
      ) t`)) as unknown as { n: number; p50: number; p99: number; max: number }[];
    return { n: row!.n, p50: Number(row!.p50), p99: Number(row!.p99), max: Number(row!.max) };
  } finally {
    await Promise.all([relay.stop(), consumer.stop()]);
    await producer.disconnect();
    await cluster?.stop();
  }
}

async function applied(database: ReturnType<typeof connect>, merchantId: string, n: number): Promise<boolean> {
  const [b] = await database.db.select().from(merchantBalances).where(eq(merchantBalances.merchantId, merchantId));
  return (b?.approvedCount ?? 0) >= n;
}

async function insertEvents(database: ReturnType<typeof connect>, merchantId: string, n: number): Promise<string[]> {
  const now = new Date().toISOString();
  const rows = Array.from({ length: n }, () => {
    const paymentId = newId('pay');
    const eventId = newId('evt');
    const payload = { eventId, type: 'PaymentApproved', version: 1, occurredAt: now, merchantId, paymentId, orderId: newId('ord'), amount: 10_000, currency: 'KRW', pspPaymentKey: 'bench', platformFee: 250, approvedAt: now };
    return { eventId, eventType: 'PaymentApproved', aggregateId: paymentId, merchantId, payload };
  });
  await database.db.insert(outbox).values(rows);
  return rows.map((r) => r.eventId);
}

main().catch((err) => {
  console.error('[bench] failed:', err);
  process.exit(1);
});
