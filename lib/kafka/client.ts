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
 * The relay's producer. A `transactionalId` gives one instance's batches all-or-nothing writes
 * and retries that do not duplicate (Kafka fences a restarted instance with the same id).
 * `idempotent` is left off on purpose: kafkajs's idempotent mode without transactions needs the
 * cluster controller, which librdkafka's mock (our local/test broker) does not report; with a
 * transactionalId this configuration works on real Kafka and on the mock alike.
 * `maxInFlightRequests: 1` keeps order on retries.
 */
export function createTransactionalProducer(kafka: Kafka, transactionalId: string): Producer {
  return kafka.producer({ transactionalId, maxInFlightRequests: 1, idempotent: false, allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
}

/** Producer for retry and dead-letter topics (at-least-once; consumers dedupe by event id). */
export function createPlainProducer(kafka: Kafka): Producer {
  return kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
}
