/**
 * Recovery worker: its own process. Every RECOVERY_INTERVAL_MS it runs the recovery jobs
 * (lib/recovery/recovery-jobs.ts: unfinished payments, window expiry, refunds with unknown
 * outcome, stored PSP webhooks, daily reconciliation) under the policy in
 * lib/recovery/recovery-policy.ts.
 * Usage: node --import tsx workers/recovery.ts [--once]   (env: DATABASE_URL, TOSS_*, RECOVERY_*)
 * `--once` runs one pass, prints what it did and exits (0, or 1 if an item failed): for an
 * operator who wants recovery now (after an outage, from a cron job) without a resident process.
 * It writes no heartbeat, so the dashboard's health still tells whether the resident worker runs.
 */
import pino from 'pino';
import { z } from 'zod';
import { connect } from '@/db/client';
import { parseEnvWith } from '@/lib/env-source';
import { pspClientFromEnv } from '@/lib/psp/env-client';
import { describeTick, recoveryTick } from '@/lib/recovery/recovery-loop';
import { recoveryPolicyEnvSchema, recoveryPolicyFromEnv } from '@/lib/recovery/recovery-policy';
import { runWorker } from '@/lib/workers/worker-runtime';

if (process.argv.includes('--help')) {
  console.log('Usage: node --import tsx workers/recovery.ts [--once]\n  --once  run one pass, print what it did, exit (1 if an item failed); no heartbeat\nEnv: DATABASE_URL, TOSS_API_BASE, TOSS_SECRET_KEY, RECOVERY_INTERVAL_MS (5000), RECOVERY_GRACE_MS (30000), RECOVERY_BASE_DELAY_MS (5000), RECOVERY_MAX_DELAY_MS (600000), RECOVERY_MAX_ATTEMPTS (12), RECOVERY_DAILY_RECONCILIATION (1), HEALTH_PORT.');
  process.exit(0);
}

const env = parseEnvWith(recoveryPolicyEnvSchema.extend({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}), process.env);

if (process.argv.includes('--once')) void runOnce();
else void runWorker('recovery', { logLevel: env.LOG_LEVEL, healthPort: env.HEALTH_PORT, databaseUrl: env.DATABASE_URL }, async ({ log }) => {
  const database = connect(env.DATABASE_URL, { max: 3, appName: 'recovery' });
  const psp = pspClientFromEnv();
  const policy = recoveryPolicyFromEnv(env);
  let stopping = false;
  let healthy = false;
  const loop = (async () => {
    while (!stopping) {
      try {
        const r = await recoveryTick(database.db, psp, policy, log);
        healthy = true;
        if (r.failed || Object.values(r.jobs).some((j) => Object.keys(j.outcomes).length)) log.info({ ...r, summary: describeTick(r) }, 'recovery pass');
      } catch (err) {
        // Only a failure outside every job (none today) lands here; jobs isolate their own.
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

async function runOnce(): Promise<void> {
  const log = pino({ level: env.LOG_LEVEL, base: { service: 'recovery', pid: process.pid } });
  const database = connect(env.DATABASE_URL, { max: 3, appName: 'recovery-once' });
  try {
    const r = await recoveryTick(database.db, pspClientFromEnv(), recoveryPolicyFromEnv(env), log);
    console.log(`recovery pass: ${describeTick(r)}`);
    process.exitCode = r.failed ? 1 : 0;
  } finally {
    await database.close();
  }
}
