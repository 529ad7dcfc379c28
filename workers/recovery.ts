/**
 * Recovery worker: its own process. Every RECOVERY_INTERVAL_MS it finishes payments left
 * EXECUTING/UNKNOWN (asking the PSP), expires never-authenticated attempts, retries refunds with
 * unknown outcome, processes stored PSP webhooks, and runs yesterday's reconciliation once a day.
 * Usage: node --import tsx workers/recovery.ts   (env: DATABASE_URL, TOSS_*, RECOVERY_*)
 */
import { z } from 'zod';
import { connect } from '@/db/client';
import { parseEnvWith } from '@/lib/env-source';
import { pspClientFromEnv } from '@/lib/psp/env-client';
import { defaultRecoveryPolicy } from '@/lib/recovery/recover-payment';
import { recoveryTick } from '@/lib/recovery/recovery-loop';
import { runWorker } from '@/lib/workers/worker-runtime';

if (process.argv.includes('--help')) {
  console.log('Usage: node --import tsx workers/recovery.ts\nEnv: DATABASE_URL, TOSS_API_BASE, TOSS_SECRET_KEY, RECOVERY_INTERVAL_MS (5000), RECOVERY_GRACE_MS (30000), RECOVERY_MAX_ATTEMPTS (12), RECOVERY_DAILY_RECONCILIATION (1), HEALTH_PORT.');
  process.exit(0);
}

const env = parseEnvWith(z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  RECOVERY_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(defaultRecoveryPolicy.graceMs),
  RECOVERY_BASE_DELAY_MS: z.coerce.number().int().min(10).max(3_600_000).default(defaultRecoveryPolicy.baseDelayMs),
  RECOVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(defaultRecoveryPolicy.maxAttempts),
  RECOVERY_DAILY_RECONCILIATION: z.enum(['0', '1']).default('1'),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}), process.env);

void runWorker('recovery', { logLevel: env.LOG_LEVEL, healthPort: env.HEALTH_PORT }, async ({ log }) => {
  const database = connect(env.DATABASE_URL, { max: 3, appName: 'recovery' });
  const psp = pspClientFromEnv();
  const policy = { ...defaultRecoveryPolicy, graceMs: env.RECOVERY_GRACE_MS, baseDelayMs: env.RECOVERY_BASE_DELAY_MS, maxAttempts: env.RECOVERY_MAX_ATTEMPTS };
  let stopping = false;
  let healthy = false;
  const loop = (async () => {
    while (!stopping) {
      try {
        const r = await recoveryTick(database.db, psp, policy, log, new Date(), { dailyReconciliation: env.RECOVERY_DAILY_RECONCILIATION === '1' });
        healthy = true;
        if (Object.keys(r.recovered).length || r.expired || r.refundsRetried || r.webhooksProcessed) log.info(r, 'recovery pass');
      } catch (err) {
        healthy = false;
        log.error({ err: (err as Error).message }, 'recovery pass failed');
      }
      await new Promise((res) => setTimeout(res, env.RECOVERY_INTERVAL_MS));
    }
  })();
  return {
    ready: () => healthy,
    async stop() {
      stopping = true;
      await loop;
      await database.close();
    },
  };
});
