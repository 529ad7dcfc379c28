import { WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';
import { createKafka } from '@/lib/kafka/client';
import { createTopics } from '@/lib/kafka/create-topics';
import { startLocalKafka, type LocalKafka } from '@/lib/kafka/local-cluster';
import { allTopics } from '@/lib/kafka/topics';

/**
 * Starts a local Apache Kafka (lib/kafka/local-cluster.ts) for a run of the whole system, creates
 * the topics, and points `env` at it, with group timings that suit one machine unless `env` sets
 * them already. Shared by `npm run dev` (one node, data kept in `.data/kafka/dev`) and the
 * benchmark/chaos stack (a temporary cluster). Prints one line: `kafka: Apache Kafka <v> at <brokers>`.
 */
export async function runLocalKafka(env: NodeJS.ProcessEnv, say: (line: string) => void, opts: { nodes?: number; dataDir?: string } = {}): Promise<LocalKafka> {
  const nodes = opts.nodes ?? 1;
  // C1 only: a dev or chaos stack needs a broker soon, not its peak throughput (bench:relay uses C2).
  const kafka = await startLocalKafka({ nodes, dataDir: opts.dataDir, quickJit: true, say });
  try {
    await createTopics(createKafka('won-topic-setup', kafka.brokers), allTopics(3, [WEBHOOK_NOTIFIER]), { replication: Math.min(nodes, 3), minInsync: nodes > 1 ? 2 : 1 });
  } catch (err) {
    await kafka.stop();
    throw err;
  }
  env.KAFKA_BROKERS = kafka.brokers.join(',');
  env.KAFKA_SESSION_TIMEOUT_MS ??= '6000';
  env.KAFKA_MAX_WAIT_MS ??= '100';
  console.log(`kafka: Apache Kafka ${kafka.version} at ${env.KAFKA_BROKERS}`);
  return kafka;
}
