/**
 * Topic names. Payment events are keyed by payment id, so one payment's events stay on one
 * partition and in order. Retry topics are per consumer and per delay level; the dead-letter
 * topic is shared and carries the failing consumer in a header.
 */
export const PAYMENT_EVENTS_TOPIC = 'payments.events';
export const DEAD_LETTER_TOPIC = 'payments.events.dlt';
export const retryTopic = (consumer: string, level: number) => `payments.events.${consumer}.retry-${level}`;

/** Partition counts for the local cluster and the topic setup of real Kafka. */
export const PAYMENT_EVENTS_PARTITIONS = 6;

export function allTopics(retryLevels: number, consumers: string[]): Record<string, number> {
  const topics: Record<string, number> = { [PAYMENT_EVENTS_TOPIC]: PAYMENT_EVENTS_PARTITIONS, [DEAD_LETTER_TOPIC]: 1 };
  for (const c of consumers) for (let l = 1; l <= retryLevels; l++) topics[retryTopic(c, l)] = 2;
  return topics;
}
