import { z } from 'zod';
import { parseEnvWith } from '@/lib/env-source';

/**
 * The sandbox's own settings (sandbox-only; Toss has no such knobs), validated once per process.
 * An empty variable means "not set".
 */
const sandboxSchema = z.object({
  /** Multiplies the webhook retry schedule: 1 = Toss's 1, 4, 16, … minutes; 0.01 = 0.6 s, 2.4 s, … */
  PSP_SANDBOX_WEBHOOK_TIME_SCALE: z.coerce.number().positive('must be greater than 0').max(1_000).default(1),
  /** Settlement paidOutDate = soldDate + this many days. */
  PSP_SANDBOX_PAYOUT_DELAY_DAYS: z.coerce.number().int().min(0).max(365).default(2),
});
export type SandboxEnv = z.infer<typeof sandboxSchema>;

const workerSchema = sandboxSchema.extend({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: (i) => (i.input === undefined ? 'required (postgres://…)' : 'must be a postgres:// URL') }),
  /** Pause between delivery rounds when nothing was due. */
  PSP_SANDBOX_WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type WebhookWorkerEnv = z.infer<typeof workerSchema>;

const parse = parseEnvWith;

export function parseSandboxEnv(source: Record<string, string | undefined>): SandboxEnv {
  return parse(sandboxSchema, source);
}

export function parseWebhookWorkerEnv(source: Record<string, string | undefined>): WebhookWorkerEnv {
  return parse(workerSchema, source);
}
