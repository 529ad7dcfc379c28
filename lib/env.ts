import { z } from 'zod';
import { parseEnvWith } from './env-source';
import { parseTrustedProxies } from './security/client-address';
import { checkProductionSecrets, DEMO_DEFAULTS, DEMO_REFUND_ACCOUNT_KEY } from './security/production-secrets';

/**
 * Environment, validated once. Everything that reads configuration goes through `env()`.
 * Local defaults are chosen so `npm run dev` works with nothing set; production must set
 * the secrets explicitly (see .env.example).
 */
const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  /** Unset in local runs: scripts/start.ts starts an embedded PostgreSQL and sets it. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Base of the PSP's API (`/v1/…` follows): the sandbox server (npm run sandbox) locally, https://api.tosspayments.com for real. */
  TOSS_API_BASE: z.url().default('http://127.0.0.1:3001'),
  /** Where the shopper's browser opens the payment window (the sandbox server's window page). */
  TOSS_WINDOW_URL: z.url().default('http://127.0.0.1:3001/window'),
  TOSS_CLIENT_KEY: z.string().min(1).default(DEMO_DEFAULTS.TOSS_CLIENT_KEY!),
  TOSS_SECRET_KEY: z.string().min(1).default(DEMO_DEFAULTS.TOSS_SECRET_KEY!),
  /** Read timeout for PSP calls; a timeout leaves the payment UNKNOWN, never FAILURE. */
  TOSS_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(30_000),
  /** Public URL of the app (login cookies and origin checks). Default http://localhost:$PORT. */
  APP_URL: z.url().optional(),
  /** Signs merchant sessions. Required in production; a fixed development value otherwise. */
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * AES-256 key (base64 of 32 random bytes, `openssl rand -base64 32`) that encrypts the bank
   * accounts shoppers give for refunds of virtual-account payments. Required in production.
   */
  REFUND_ACCOUNT_KEY: z.string().refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+=*$/.test(v), 'must be base64 of exactly 32 bytes (openssl rand -base64 32)').optional(),
  /** Sign-in attempts allowed per minute per account and client address (lib/auth/login-rate-limit.ts). */
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(5),
  /**
   * Reverse proxies in front of the app (comma-separated addresses or CIDRs). X-Forwarded-For is
   * believed only from these; unset = no proxy, the TCP peer is the client.
   */
  TRUSTED_PROXIES: z.string().optional().refine((v) => {
    try {
      parseTrustedProxies(v);
      return true;
    } catch {
      return false;
    }
  }, 'must be comma-separated IP addresses or CIDRs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Logins (comma-separated emails) that may see and replay dead letters of no merchant. Default: nobody. */
  OPERATOR_EMAILS: z.string().default('').transform((v) => v.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)),
});

export type Env = z.infer<typeof schema> & { APP_URL: string; BETTER_AUTH_SECRET: string; REFUND_ACCOUNT_KEY: string };

let cached: Env | undefined;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const e = parseEnvWith(schema, source);
  // A production run (not `next build`, which has no secrets) refuses missing and published secrets.
  if (e.NODE_ENV === 'production' && process.env.NEXT_PHASE !== 'phase-production-build') {
    const { problems, warnings } = checkProductionSecrets(source, e.TOSS_API_BASE);
    if (problems.length > 0) throw new Error(`Invalid environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    // Once per start: the start script warns, and its child processes inherit the mark.
    if (process.env.WON_SECRET_WARNINGS_SHOWN !== '1') for (const w of warnings) console.warn(`[won] WARNING ${w}`);
    process.env.WON_SECRET_WARNINGS_SHOWN = '1';
  }
  return {
    ...e,
    APP_URL: e.APP_URL ?? `http://localhost:${e.PORT}`,
    BETTER_AUTH_SECRET: e.BETTER_AUTH_SECRET ?? 'development-only-secret-do-not-use-in-production!',
    REFUND_ACCOUNT_KEY: e.REFUND_ACCOUNT_KEY ?? DEMO_REFUND_ACCOUNT_KEY,
  };
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
