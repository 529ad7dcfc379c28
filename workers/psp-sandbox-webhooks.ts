/**
 * The PSP sandbox's webhook sender: its own process. Every second (PSP_SANDBOX_WEBHOOK_INTERVAL_MS)
 * it POSTs the due PAYMENT_STATUS_CHANGED webhooks to the merchants' registered URLs, retrying on
 * Toss's schedule. Sandbox-only: with the real Toss, Toss sends them.
 * Usage: node --import tsx workers/psp-sandbox-webhooks.ts   (env: see --help)
 */
import { connect } from '@/db/client';
import { parseWebhookWorkerEnv, type WebhookWorkerEnv } from '@/lib/psp-sandbox/env';
import { startWebhookDeliveryLoop } from '@/lib/psp-sandbox/webhook-delivery-loop';
import { runWorker } from '@/lib/workers/worker-runtime';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`Usage: node --import tsx workers/psp-sandbox-webhooks.ts

Delivers the PSP sandbox's webhooks (PAYMENT_STATUS_CHANGED) to the URLs merchants registered
(psp.merchants.webhook_url; PUT /psp/v1/sandbox/webhook), retrying failures after 1, 4, 16, 64,
256, 1024 and 4096 minutes as Toss does, then giving up. SIGTERM or SIGINT stops it after the
round in progress.

Environment:
  DATABASE_URL                      the sandbox's PostgreSQL (required)
  PSP_SANDBOX_WEBHOOK_TIME_SCALE    multiplies the retry intervals (default 1; 0.01 = 0.6 s, 2.4 s, …)
  PSP_SANDBOX_WEBHOOK_INTERVAL_MS   pause between rounds (default 1000)
  HEALTH_PORT                       /healthz, /readyz, /metrics (default 0 = any free port)
  LOG_LEVEL                         default info`);
  process.exit(0);
}

let env: WebhookWorkerEnv;
try {
  env = parseWebhookWorkerEnv(process.env);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

void runWorker('psp-sandbox-webhooks', { logLevel: env.LOG_LEVEL, healthPort: env.HEALTH_PORT, databaseUrl: env.DATABASE_URL }, async ({ log }) => {
  const database = connect(env.DATABASE_URL, { max: 3, appName: 'psp-sandbox-webhooks' });
  const loop = startWebhookDeliveryLoop({
    db: database.db,
    log,
    intervalMs: env.PSP_SANDBOX_WEBHOOK_INTERVAL_MS,
    timeScale: env.PSP_SANDBOX_WEBHOOK_TIME_SCALE,
  });
  log.info({ timeScale: env.PSP_SANDBOX_WEBHOOK_TIME_SCALE, intervalMs: env.PSP_SANDBOX_WEBHOOK_INTERVAL_MS }, 'delivering PSP sandbox webhooks');
  return {
    ready: () => true,
    async stop() {
      await loop.stop();
      await database.close();
    },
  };
});
