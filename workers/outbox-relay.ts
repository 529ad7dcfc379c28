/**
 * Outbox relay: its own process. Publishes committed outbox rows to Kafka.
 * Usage: tsx workers/outbox-relay.ts        (env: DATABASE_URL, KAFKA_BROKERS, RELAY_*; see lib/kafka/env.ts)
 */
import { Counter, Gauge } from 'prom-client';
import { connect } from '@/db/client';
import { createKafka, createTransactionalProducer } from '@/lib/kafka/client';
import { parseWorkerEnv } from '@/lib/kafka/env';
import { outboxStats, type OutboxStats } from '@/lib/outbox/outbox-stats';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { runWorker } from '@/lib/workers/worker-runtime';

if (process.argv.includes('--help')) {
  console.log('Usage: tsx workers/outbox-relay.ts\nRelays outbox rows to Kafka. Env: DATABASE_URL, KAFKA_BROKERS, RELAY_INSTANCE_ID, RELAY_BATCH_SIZE, RELAY_IDLE_POLL_MS, HEALTH_PORT.');
  process.exit(0);
}

const env = parseWorkerEnv(process.env);

void runWorker('outbox-relay', { logLevel: env.LOG_LEVEL, healthPort: env.HEALTH_PORT, databaseUrl: env.DATABASE_URL }, async ({ log, registry }) => {
  const database = connect(env.DATABASE_URL, { max: 3, appName: `outbox-relay-${env.RELAY_INSTANCE_ID}` });
  const kafka = createKafka(`outbox-relay-${env.RELAY_INSTANCE_ID}`, env.KAFKA_BROKERS);
  const published = new Counter({ name: 'outbox_published_total', help: 'Outbox events published to Kafka by this relay', registers: [registry] });
  // Both gauges are collected at once per scrape: they share one query while it runs.
  let pending: Promise<OutboxStats> | undefined;
  const stats = () => (pending ??= outboxStats(database.db).finally(() => { pending = undefined; }));
  new Gauge({
    name: 'outbox_lag_seconds', help: 'Age of the oldest unpublished outbox event', registers: [registry],
    async collect() { this.set((await stats()).oldestAgeSeconds); },
  });
  new Gauge({
    name: 'outbox_backlog', help: 'Unpublished outbox events', registers: [registry],
    async collect() { this.set((await stats()).backlog); },
  });
  const relay = createOutboxRelay({
    database,
    log,
    batchSize: env.RELAY_BATCH_SIZE,
    idlePollMs: env.RELAY_IDLE_POLL_MS,
    connectProducer: async () => {
      // A stable transactionalId per instance: a restarted relay fences its previous self.
      const producer = createTransactionalProducer(kafka, `outbox-relay-${env.RELAY_INSTANCE_ID}`);
      await producer.connect();
      return producer;
    },
    onPublished: (n) => {
      published.inc(n);
      log.debug({ count: n }, 'published');
    },
  });
  await relay.start();
  return {
    ready: relay.isHealthy,
    async stop() {
      await relay.stop();
      await database.close();
    },
  };
});
