/**
 * Topic names. Payment events are keyed by payment id, so one payment's events stay on one
 * partition and in order. Retry topics are per consumer and per delay level; the dead-letter
 * topic is shared and carries the failing consumer in a header.
 *
 * KAFKA_TOPIC_PREFIX (unset in production) puts every topic and consumer group of ours under a
 * prefix, so stacks that share one broker do not read each other's events: each test file gets
 * its own (tests/setup/kafka-namespace.ts) on the run's single broker, and so do the workers it
 * spawns, which inherit the environment.
 */
const PREFIX = topicPrefix(process.env.KAFKA_TOPIC_PREFIX);

function topicPrefix(raw: string | undefined): string {
  if (!raw) return '';
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(raw)) throw new Error('KAFKA_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"');
  return raw;
}

export const PAYMENT_EVENTS_TOPIC = `${PREFIX}payments.events`;
export const DEAD_LETTER_TOPIC = `${PREFIX}payments.events.dlt`;
export const retryTopic = (consumer: string, level: number) => `${PREFIX}payments.events.${consumer}.retry-${level}`;
/** A consumer's Kafka group id (its key in consumed_events stays the bare name). */
export const consumerGroupId = (consumer: string) => `${PREFIX}${consumer}`;

/** Partition counts, for every cluster (created by lib/kafka/create-topics.ts). */
export const PAYMENT_EVENTS_PARTITIONS = 6;

export function allTopics(retryLevels: number, consumers: string[]): Record<string, number> {
  const topics: Record<string, number> = { [PAYMENT_EVENTS_TOPIC]: PAYMENT_EVENTS_PARTITIONS, [DEAD_LETTER_TOPIC]: 1 };
  for (const c of consumers) for (let l = 1; l <= retryLevels; l++) topics[retryTopic(c, l)] = 2;
  return topics;
}
