import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';

export function createKafka(clientId: string, brokers: string[]): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10_000 },
  });
}

/**
 * Keys are hashed with murmur2 (kafkajs's default partitioner, the same as Java clients'), so
 * one payment id always lands on one partition.
 *
 * The relay's producer: idempotent and transactional, `acks: -1` on every send (the relay sets
 * it). One stable `transactionalId` per relay instance: a restarted instance fences its previous
 * self (whose open transaction the broker aborts), and a fenced producer is unusable, so the
 * relay makes a new one. `maxInFlightRequests: 1` keeps order on retries.
 * Retries start at 10 ms: after a commit, the next transaction's first send often meets
 * CONCURRENT_TRANSACTIONS while the broker finishes the previous one, and at kafkajs's default
 * (300 ms) every batch waited that long (5–9k msg/s instead of 20k+, p99 over 300 ms). Twelve
 * doubling retries capped at 2 s still span a leader election (about 10 s).
 * kafkajs 2.2.4 needs scripts/patch-dependencies.mjs for this on more than one broker: unpatched,
 * retries write duplicates into committed transactions and can drop a partition's messages.
 */
export function createTransactionalProducer(kafka: Kafka, transactionalId: string): Producer {
  return kafka.producer({
    transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 10, maxRetryTime: 2_000, retries: 12 },
  });
}

/** Producer for retry and dead-letter topics: idempotent (a retried send is not written twice); consumers dedupe by event id anyway. */
export function createPlainProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, allowAutoTopicCreation: false, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
}
