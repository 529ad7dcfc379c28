/**
 * npm run kafka:topics [-- --replication 3 --min-insync 2 --dry-run]
 * Creates the topics on a real Kafka cluster (KAFKA_BROKERS): payment events, the webhook
 * retry levels and the dead-letter topic, with replication factor 3 and min.insync.replicas=2
 * (with acks=all a write survives one broker loss). Existing topics are left as they are.
 * `npm run dev` and the tests create the same topics with the same code (lib/kafka/create-topics.ts).
 */
import { parseArgs } from 'node:util';
import { createKafka } from '@/lib/kafka/client';
import { createTopics } from '@/lib/kafka/create-topics';
import { allTopics } from '@/lib/kafka/topics';
import { WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';

const { values } = parseArgs({ options: {
  replication: { type: 'string', default: '3' },
  'min-insync': { type: 'string', default: '2' },
  'retry-levels': { type: 'string', default: '3' },
  'dry-run': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} });
if (values.help) {
  console.log('Usage: KAFKA_BROKERS=host:9092,... npm run kafka:topics -- [--replication 3] [--min-insync 2] [--retry-levels 3] [--dry-run]');
  process.exit(0);
}
const replication = Number(values.replication);
const minInsync = Number(values['min-insync']);
const levels = Number(values['retry-levels']);
if (![replication, minInsync, levels].every((n) => Number.isInteger(n) && n >= 1) || minInsync > replication) {
  console.error('--replication, --min-insync and --retry-levels must be positive whole numbers, and min-insync ≤ replication');
  process.exit(2);
}
const brokers = process.env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
if (!brokers?.length) {
  console.error('KAFKA_BROKERS is not set (e.g. KAFKA_BROKERS=localhost:9092)');
  process.exit(2);
}
const topics = Object.entries(allTopics(levels, [WEBHOOK_NOTIFIER])).map(([topic, numPartitions]) => ({
  topic,
  numPartitions,
  replicationFactor: replication,
  configEntries: [{ name: 'min.insync.replicas', value: String(minInsync) }],
}));
for (const t of topics) console.log(`${t.topic}: ${t.numPartitions} partitions, RF ${t.replicationFactor}, min.insync.replicas ${minInsync}`);
if (values['dry-run']) process.exit(0);

createTopics(createKafka('won-topic-setup', brokers), Object.fromEntries(topics.map((t) => [t.topic, t.numPartitions])), { replication, minInsync })
  .then((created) => console.log(created.length ? `created: ${created.join(', ')}` : 'topics already existed (left unchanged)'))
  .catch((err) => {
    console.error('topic setup failed:', err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
