import { z } from 'zod';
import { parseEnvWith } from '@/lib/env-source';

const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port')).min(1));

/** Worker configuration, validated when a worker process starts. */
export const workerEnvSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  KAFKA_BROKERS: csv,
  /** Distinguishes relay instances; their producers' transactionalIds must differ. */
  RELAY_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default('0'),
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  RELAY_IDLE_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** Comma-separated consumers this process runs (see workers/consumers/index.ts). */
  CONSUMERS: z.string().default('balance-projection,webhook-notifier,dead-letter-recorder'),
  WEBHOOK_RETRY_DELAYS_MS: z.string().default('1000,10000,60000')
    .transform((s) => s.split(',').map((x) => Number(x.trim())))
    .pipe(z.array(z.number().int().min(0).max(3_600_000)).min(1).max(10)),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /**
   * A dead consumer's partitions move after one session; kafkajs heartbeats between fetches, so
   * the fetch wait bounds how late a heartbeat is (with 5 s, a join took 4 s and a killed member
   * 29 s to replace; with 10 s / 100 ms, milliseconds and about 10 s).
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(3_000).max(300_000).default(10_000),
  KAFKA_MAX_WAIT_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  /** Upper bound on a consumer-group join; a join the broker leaves unanswered stalls a consumer this long. */
  KAFKA_REBALANCE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(60_000),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function parseWorkerEnv(source: Record<string, string | undefined>): WorkerEnv {
  return parseEnvWith(workerEnvSchema, source);
}
