import { z } from 'zod';
import { parseEnvWith } from '@/lib/env-source';

/**
 * The sandbox server's settings (`npm run sandbox`), validated once per process. An empty variable
 * means "not set". The sandbox is its own system: nothing here is read by the merchant app, and
 * the merchant app's settings are not read here, except the pair defaults noted below.
 */

/** The demo merchant's keys: the merchant app's TOSS_CLIENT_KEY / TOSS_SECRET_KEY defaults. */
export const DEMO_CLIENT_KEY = 'test_ck_sandbox_D5GePWvyJnrK0W0k6q8g';
export const DEMO_SECRET_KEY = 'test_sk_sandbox_zXLkKEypNArWmo50nX3l';
/** Good enough on a laptop; a production start refuses it. */
export const DEV_OPERATOR_TOKEN = 'sandbox-operator-dev-token';

const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SANDBOX_PORT: port.default(3001),
  /** The interface to listen on; 0.0.0.0 to serve other machines. */
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  /** The sandbox's PostgreSQL (its tables live in schema `sandbox`); default DATABASE_URL; neither = the embedded one. */
  SANDBOX_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  SANDBOX_DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** The operator credential of the control routes (header Sandbox-Operator-Token). */
  SANDBOX_OPERATOR_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The demo merchant's keys (same names and defaults as the merchant app's, so the pair matches). */
  TOSS_CLIENT_KEY: z.string().regex(/^(test|live)_\w+$/, 'must look like test_ck_…').default(DEMO_CLIENT_KEY),
  TOSS_SECRET_KEY: z.string().regex(/^(test|live)_\w+$/, 'must look like test_sk_…').default(DEMO_SECRET_KEY),
  /** A production start refuses the published demo keys unless this is 1. */
  SANDBOX_ALLOW_DEMO_KEYS: z.enum(['0', '1']).default('0'),
  /**
   * The demo merchant's shop: its origin is where the window may redirect to, and its
   * /api/webhooks/psp receives the webhooks. Default APP_URL, else http://localhost:3000.
   */
  SANDBOX_MERCHANT_URL: z.url({ protocol: /^https?$/ }).optional(),
  APP_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Multiplies the webhook retry schedule: 1 = Toss's 1, 4, 16, … minutes; 0.01 = 0.6 s, 2.4 s, … */
  PSP_SANDBOX_WEBHOOK_TIME_SCALE: z.coerce.number().positive('must be greater than 0').max(1_000).default(1),
  /** Pause between webhook delivery rounds when nothing was due. */
  PSP_SANDBOX_WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** A webhook round's claim on a delivery lasts this long (must exceed the POST's 10 s timeout). */
  PSP_SANDBOX_WEBHOOK_LEASE_MS: z.coerce.number().int().min(10_000).max(3_600_000).default(70_000),
  /** An Idempotency-Key claim without a response this old belongs to a dead request (sandbox/lib/idempotency.ts). */
  SANDBOX_ABANDONED_CLAIM_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  /** Settlement paidOutDate = soldDate + this many days. */
  PSP_SANDBOX_PAYOUT_DELAY_DAYS: z.coerce.number().int().min(0).max(365).default(2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface SandboxEnv extends Omit<z.infer<typeof schema>, 'SANDBOX_OPERATOR_TOKEN' | 'SANDBOX_MERCHANT_URL' | 'APP_URL' | 'DATABASE_URL'> {
  SANDBOX_OPERATOR_TOKEN: string;
  /** Unset: start (or reuse) the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  merchant: { clientKey: string; secretKey: string; redirectOrigins: string[]; webhookUrl: string };
}

export function parseSandboxEnv(source: Record<string, string | undefined>): SandboxEnv {
  const e = parseEnvWith(schema, source);
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && (!e.SANDBOX_OPERATOR_TOKEN || e.SANDBOX_OPERATOR_TOKEN === DEV_OPERATOR_TOKEN)) {
    problems.push('  SANDBOX_OPERATOR_TOKEN: required in production, and not the development default (e.g. `openssl rand -base64 32`)');
  }
  const demo = e.TOSS_CLIENT_KEY === DEMO_CLIENT_KEY || e.TOSS_SECRET_KEY === DEMO_SECRET_KEY;
  if (production && demo && e.SANDBOX_ALLOW_DEMO_KEYS !== '1') {
    problems.push('  TOSS_CLIENT_KEY / TOSS_SECRET_KEY: the published demo keys are refused in production; set keys of your own (or SANDBOX_ALLOW_DEMO_KEYS=1 for a private benchmark)');
  }
  if (problems.length > 0) throw new Error(`Invalid environment:\n${problems.join('\n')}`);
  const shop = new URL(e.SANDBOX_MERCHANT_URL ?? e.APP_URL ?? 'http://localhost:3000');
  return {
    ...e,
    SANDBOX_OPERATOR_TOKEN: e.SANDBOX_OPERATOR_TOKEN ?? DEV_OPERATOR_TOKEN,
    databaseUrl: e.SANDBOX_DATABASE_URL ?? e.DATABASE_URL,
    merchant: {
      clientKey: e.TOSS_CLIENT_KEY,
      secretKey: e.TOSS_SECRET_KEY,
      redirectOrigins: loopbackTwins(shop.origin),
      webhookUrl: new URL('/api/webhooks/psp', shop).toString(),
    },
  };
}

/** A local shop is reached as localhost or 127.0.0.1 alike; register both. */
function loopbackTwins(origin: string): string[] {
  const u = new URL(origin);
  const twin = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname === '127.0.0.1' ? 'localhost' : null;
  if (!twin) return [origin];
  const other = new URL(origin);
  other.hostname = twin;
  return [origin, other.origin];
}
