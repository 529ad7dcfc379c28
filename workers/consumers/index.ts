/**
 * Consumer process. Runs the consumers named in CONSUMERS (comma-separated), so one process can
 * run all of them locally and production can scale each on its own:
 *   balance-projection    merchant balances from payment events
 *   webhook-notifier      merchant webhooks, its retry levels and dead-lettering
 *   dead-letter-recorder  dead-letter topic → dead_letters table
 * Usage: tsx workers/consumers/index.ts   (env: DATABASE_URL, KAFKA_BROKERS, CONSUMERS, WEBHOOK_*; lib/kafka/env.ts)
 */
import { connect } from '@/db/client';
import { balanceProjection } from '@/lib/consumers/balance-projection';
import { runDeadLetterRecorder, DEAD_LETTER_RECORDER } from '@/lib/consumers/dead-letter-recorder';
import { runConsumer, type ConsumerSpec } from '@/lib/consumers/run-consumer';
import { webhookNotifier, WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';
import { createKafka, createPlainProducer } from '@/lib/kafka/client';
import { parseWorkerEnv } from '@/lib/kafka/env';
import { runWorker } from '@/lib/workers/worker-runtime';

const KNOWN = ['balance-projection', WEBHOOK_NOTIFIER, DEAD_LETTER_RECORDER];

if (process.argv.includes('--help')) {
  console.log(`Usage: tsx workers/consumers/index.ts\nRuns the consumers in CONSUMERS (default: all): ${KNOWN.join(', ')}.`);
  process.exit(0);
}

const env = parseWorkerEnv(process.env);
const names = env.CONSUMERS.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = names.filter((n) => !KNOWN.includes(n));
if (unknown.length) {
  console.error(`Unknown consumer(s) in CONSUMERS: ${unknown.join(', ')}. Known: ${KNOWN.join(', ')}.`);
  process.exit(2);
}

void runWorker('consumers', { logLevel: env.LOG_LEVEL, healthPort: env.HEALTH_PORT, databaseUrl: env.DATABASE_URL }, async ({ log }) => {
  const database = connect(env.DATABASE_URL, { max: 5, appName: `consumers-${process.pid}` });
  const kafka = createKafka(`consumers-${process.pid}`, env.KAFKA_BROKERS);
  const producer = createPlainProducer(kafka);
  await producer.connect();
  const timings = { sessionTimeout: env.KAFKA_SESSION_TIMEOUT_MS, maxWaitTimeInMs: env.KAFKA_MAX_WAIT_MS, rebalanceTimeout: env.KAFKA_REBALANCE_TIMEOUT_MS };

  const specs: ConsumerSpec[] = [];
  if (names.includes('balance-projection')) specs.push(balanceProjection(database.db));
  if (names.includes(WEBHOOK_NOTIFIER)) {
    const options = { db: database.db, producer, log, retryDelaysMs: env.WEBHOOK_RETRY_DELAYS_MS, timeoutMs: env.WEBHOOK_TIMEOUT_MS };
    for (let level = 0; level <= env.WEBHOOK_RETRY_DELAYS_MS.length; level++) specs.push(webhookNotifier(options, level));
  }
  const running = specs.map((spec) => runConsumer({ kafka, spec, producer, timings, log: log.child({ consumer: spec.name }) }));
  const recorder = names.includes(DEAD_LETTER_RECORDER) ? runDeadLetterRecorder({ kafka, db: database.db, timings, log }) : undefined;
  await Promise.all([...running.map((r) => r.start()), recorder?.start()]);
  return {
    ready: () => running.every((r) => r.ready()) && (recorder?.ready() ?? true),
    async stop() {
      await Promise.all([...running.map((r) => r.stop()), recorder?.stop()]);
      await producer.disconnect();
      await database.close();
    },
  };
});
