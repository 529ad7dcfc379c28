import type { Admin, Kafka } from 'kafkajs';

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
      // kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers
      // until the new topic's metadata reached it: wait below instead.
      waitForLeaders: false,
      topics: missing.map(([topic, numPartitions]) => ({
        topic,
        numPartitions,
        replicationFactor: opts.replication,
        configEntries: [{ name: 'min.insync.replicas', value: String(opts.minInsync) }],
      })),
    });
    const names = missing.map(([topic]) => topic);
    await waitForLeaders(admin, names);
    return names;
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics without leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
