/**
 * `npm run sandbox`: the Toss-compatible PSP sandbox as its own process, as Toss is to a merchant.
 * Its data lives in schema `sandbox` of SANDBOX_DATABASE_URL / DATABASE_URL (or of the embedded
 * PostgreSQL in EMBEDDED_PG_DIR, started or reused), with its own migrations and pool. On start it
 * migrates, registers the demo merchant (TOSS_CLIENT_KEY / TOSS_SECRET_KEY, whose shop is
 * SANDBOX_MERCHANT_URL), serves the window and the API on SANDBOX_PORT, and delivers webhooks.
 */
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '@/db/embedded';
import { connectSandbox } from './db/client';
import { runSandboxMigrations } from './db/migrate';
import { parseSandboxEnv, type SandboxEnv } from './lib/env';
import { ensurePspMerchant } from './lib/merchants';
import { startWebhookDeliveryLoop } from './lib/webhook-delivery-loop';
import { startSandboxServer } from './server';

const HELP = `Usage: npm run sandbox

Serves the Toss-compatible PSP sandbox: the payment window at /window and Toss's API under /v1/
(with the sandbox's control routes under /v1/sandbox/, which need the operator token), and
delivers its webhooks.

Environment:
  SANDBOX_PORT                     port (default 3001); SANDBOX_HOST interface (default 127.0.0.1)
  SANDBOX_DATABASE_URL             its PostgreSQL (default DATABASE_URL; neither = the embedded one
                                   in EMBEDDED_PG_DIR, default .data/pg, started or reused)
  SANDBOX_OPERATOR_TOKEN           operator credential for /v1/sandbox/… (header
                                   Sandbox-Operator-Token); required in production
  TOSS_CLIENT_KEY, TOSS_SECRET_KEY the demo merchant's keys (default: the published demo keys,
                                   refused in production unless SANDBOX_ALLOW_DEMO_KEYS=1)
  SANDBOX_MERCHANT_URL             the demo merchant's shop (default APP_URL, else
                                   http://localhost:3000): the window redirects only to its origin;
                                   webhooks go to its /api/webhooks/psp
  PSP_SANDBOX_WEBHOOK_TIME_SCALE   multiplies Toss's webhook retry schedule (default 1)
  PSP_SANDBOX_WEBHOOK_INTERVAL_MS  pause between webhook rounds (default 1000)
  PSP_SANDBOX_PAYOUT_DELAY_DAYS    settlement payout delay (default 2)
  PSP_SANDBOX_WEBHOOK_LEASE_MS     how long a webhook round's claim on a delivery lasts (default
                                   70000); a sender killed mid-round leaves it pending this long
  SANDBOX_ABANDONED_CLAIM_MS       an Idempotency-Key claim without a response this old belongs
                                   to a request that died and may be taken over (default 60000)
  LOG_LEVEL                        default info`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  let env: SandboxEnv;
  try {
    env = parseSandboxEnv(process.env);
  } catch (err) {
    console.error(`[sandbox] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const log = pino({ level: env.LOG_LEVEL, base: { service: 'psp-sandbox', pid: process.pid } });
  const say = (line: string) => console.log(`[sandbox] ${line}`);

  let url = env.databaseUrl;
  let stopPg = async () => {};
  if (!url) {
    const dir = path.resolve(process.env.EMBEDDED_PG_DIR ?? '.data/pg');
    say(`using the embedded PostgreSQL (data: ${dir})`);
    const pg = await startEmbeddedPostgres({
      dir,
      port: Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      database: 'won_checkout',
      ephemeral: process.env.EMBEDDED_PG_FRESH === '1',
    });
    url = pg.url;
    stopPg = pg.stop;
  }
  await runSandboxMigrations(url);
  const database = connectSandbox(url, { max: env.SANDBOX_DATABASE_POOL_MAX, appName: 'psp-sandbox' });
  // The demo merchant, brought in line with the keys and the shop of this start.
  const merchant = await ensurePspMerchant(database.db, {
    mId: 'wonplatform',
    name: 'Won Checkout Platform',
    clientKey: env.merchant.clientKey,
    secretKey: env.merchant.secretKey,
    webhookUrl: env.merchant.webhookUrl,
    redirectOrigins: env.merchant.redirectOrigins,
  });
  const server = await startSandboxServer({
    db: database.db,
    operatorToken: env.SANDBOX_OPERATOR_TOKEN,
    payoutDelayDays: env.PSP_SANDBOX_PAYOUT_DELAY_DAYS,
    abandonedClaimMs: env.SANDBOX_ABANDONED_CLAIM_MS,
    port: env.SANDBOX_PORT,
    host: env.SANDBOX_HOST,
  });
  const webhooks = startWebhookDeliveryLoop({
    db: database.db,
    log,
    intervalMs: env.PSP_SANDBOX_WEBHOOK_INTERVAL_MS,
    timeScale: env.PSP_SANDBOX_WEBHOOK_TIME_SCALE,
    leaseMs: env.PSP_SANDBOX_WEBHOOK_LEASE_MS,
  });
  say(`serving on ${server.url} (window ${server.url}/window, API ${server.url}/v1/); demo merchant ${merchant.mId}: shop ${merchant.redirectOrigins.join(', ')}, webhooks to ${merchant.webhookUrl}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    const force = setTimeout(() => process.exit(1), 15_000);
    await server.close();
    await webhooks.stop();
    await database.close();
    await stopPg();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('[sandbox] could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
