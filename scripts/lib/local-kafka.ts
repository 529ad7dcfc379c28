import { WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';
import { startDevKafka, type DevKafka } from '@/lib/kafka/dev-cluster';
import { allTopics } from '@/lib/kafka/topics';
import { ensureLibrdkafka } from './system-packages';

/**
 * Starts librdkafka's mock cluster (3 brokers, every topic) for a local run and points `env` at
 * it, with group timings that suit the mock (its rebalances take sessionTimeout − 1 s) unless
 * `env` sets them already. Shared by `npm run dev` and the benchmark/chaos stack.
 */
export async function startLocalKafka(env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<DevKafka> {
  ensureLibrdkafka(say);
  const kafka = await startDevKafka({ brokers: 3, topics: allTopics(3, [WEBHOOK_NOTIFIER]) });
  env.KAFKA_BROKERS = kafka.brokers.join(',');
  env.KAFKA_SESSION_TIMEOUT_MS ??= '6000';
  env.KAFKA_MAX_WAIT_MS ??= '100';
  say(`Kafka-protocol mock cluster (3 brokers, in memory) at ${env.KAFKA_BROKERS}`);
  return kafka;
}
