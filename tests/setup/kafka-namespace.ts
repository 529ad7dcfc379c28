import { randomBytes } from 'node:crypto';

// Every test file shares the run's Kafka broker: its topics and consumer groups get a prefix
// of their own (read by lib/kafka/topics.ts when first imported, after this file), so files
// running at once never consume each other's events. Workers a test spawns inherit it.
process.env.KAFKA_TOPIC_PREFIX = `t${randomBytes(4).toString('hex')}.`;
