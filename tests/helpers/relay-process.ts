/**
 * The outbox relay as its own process (like workers/outbox-relay.ts, with the same
 * transactional id for a RELAY_INSTANCE_ID), except that its FIRST transaction stops between
 * its sends and its commit: it prints `SENT <count>` and waits HOLD_BEFORE_COMMIT_MS (default:
 * for ever) before committing. Tests SIGKILL or SIGSTOP it there.
 * Env: DATABASE_URL, KAFKA_BROKERS, RELAY_INSTANCE_ID, RELAY_BATCH_SIZE, HOLD_BEFORE_COMMIT_MS.
 */
import pino from 'pino';
import { connect } from '@/db/client';
import { createKafka, createTransactionalProducer } from '@/lib/kafka/client';
import { createOutboxRelay } from '@/lib/outbox/relay';

const env = process.env;
const hold = Number(env.HOLD_BEFORE_COMMIT_MS ?? 2 ** 31 - 1);
const database = connect(env.DATABASE_URL!, { max: 2, appName: 'relay-process' });
const kafka = createKafka(`relay-process-${env.RELAY_INSTANCE_ID}`, env.KAFKA_BROKERS!.split(','));
let held = false;
const relay = createOutboxRelay({
  database,
  log: pino({ level: 'info' }),
  batchSize: Number(env.RELAY_BATCH_SIZE ?? 100),
  idlePollMs: 50,
  connectProducer: async () => {
    const producer = createTransactionalProducer(kafka, `outbox-relay-${env.RELAY_INSTANCE_ID}`);
    await producer.connect();
    const transaction = producer.transaction.bind(producer);
    producer.transaction = async () => {
      const txn = await transaction();
      if (held) return txn;
      const commit = txn.commit.bind(txn);
      txn.commit = async () => {
        held = true;
        console.log(`SENT ${process.pid}`);
        await new Promise((r) => setTimeout(r, hold));
        return commit();
      };
      return txn;
    };
    return producer;
  },
});
void relay.start();
process.on('SIGTERM', () => void relay.stop().then(() => database.close()).then(() => process.exit(0)));
