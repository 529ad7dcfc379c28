import type { Kafka } from 'kafkajs';

/**
 * Creates the topics that are missing (existing ones are left as they are) and waits for their
 * leaders. Topics are never auto-created: on KRaft, subscribing before a topic exists fails
 * (UNKNOWN_TOPIC_OR_PARTITION), so every cluster gets them up front, with this one function
 * (`npm run kafka:topics`, `npm run dev`, the tests).
 */
export async function createTopics(kafka: Kafka, topics: Record<string, number>, opts: { replication: number; minInsync: number }): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.entries(topics).filter(([topic]) => !existing.has(topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map(([topic, numPartitions]) => ({
        topic,
        numPartitions,
        replicationFactor: opts.replication,
        configEntries: [{ name: 'min.insync.replicas', value: String(opts.minInsync) }],
      })),
    });
    return missing.map(([topic]) => topic);
  } finally {
    await admin.disconnect();
  }
}
