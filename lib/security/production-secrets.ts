/**
 * The rule for secrets in production: every secret is set, and none is a value published in
 * this repository (.env.example, lib/env.ts defaults, the README). A published value is a
 * password everyone knows. The one exception: the demo PSP keys against a PSP sandbox on this
 * machine (a loopback address), where they protect nothing real; that start is warned about.
 */

/** lib/env.ts's development key for refund accounts (base64 of 32 bytes): published, so never for production. */
export const DEMO_REFUND_ACCOUNT_KEY = 'ZGV2ZWxvcG1lbnQtb25seS1yZWZ1bmQta2V5LTMyYiE=';

/** Values published in this repository. A secret equal to one of them is refused in production. */
export const DEMO_SECRET_VALUES: ReadonlySet<string> = new Set([
  'development-only-secret-do-not-use-in-production!',
  'test_ck_sandbox_D5GePWvyJnrK0W0k6q8g',
  'test_sk_sandbox_zXLkKEypNArWmo50nX3l',
  DEMO_REFUND_ACCOUNT_KEY,
]);

/** The demo PSP keys (lib/env.ts's defaults): tolerated only against a sandbox on a loopback address. */
export const DEMO_DEFAULTS: Readonly<Record<string, string>> = {
  TOSS_CLIENT_KEY: 'test_ck_sandbox_D5GePWvyJnrK0W0k6q8g',
  TOSS_SECRET_KEY: 'test_sk_sandbox_zXLkKEypNArWmo50nX3l',
};
const DEMO_PSP_KEYS = new Set(Object.values(DEMO_DEFAULTS));

/**
 * Secrets a production start needs. `required`: unset stops the start. Optional ones are still
 * refused when they hold a demo value (e.g. a webhook secret copied from an example).
 */
export const PRODUCTION_SECRETS: readonly { name: string; required: boolean; psp?: boolean }[] = [
  { name: 'BETTER_AUTH_SECRET', required: true },
  /** Encrypts the bank accounts shoppers give for virtual-account refunds (lib/security/refund-account-cipher.ts). */
  { name: 'REFUND_ACCOUNT_KEY', required: true },
  { name: 'TOSS_CLIENT_KEY', required: true, psp: true },
  { name: 'TOSS_SECRET_KEY', required: true, psp: true },
  { name: 'PSP_WEBHOOK_SECRET', required: false },
  { name: 'MERCHANT_WEBHOOK_SECRET', required: false },
];

export interface SecretCheck {
  /** One line per refused variable, each naming it. Empty = the start may go on. */
  problems: string[];
  warnings: string[];
}

export function isLoopbackUrl(url: string | undefined): boolean {
  if (!url) return false;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Checks the raw environment of a production start. `pspBase` is the PSP base URL the app will
 * use (TOSS_API_BASE, or its default).
 */
export function checkProductionSecrets(source: Record<string, string | undefined>, pspBase: string): SecretCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const s of PRODUCTION_SECRETS) {
    // An unset PSP key falls back to the demo key (lib/env.ts), so it is judged as one.
    const value = source[s.name] || (s.psp ? DEMO_DEFAULTS[s.name] : undefined);
    if (value === undefined) {
      if (s.required) problems.push(`${s.name}: required in production${s.psp ? ' (your PSP key; see .env.example)' : ' (32+ random characters, e.g. `openssl rand -base64 32`)'}`);
      continue;
    }
    if (!DEMO_SECRET_VALUES.has(value)) continue;
    if (s.psp && DEMO_PSP_KEYS.has(value) && isLoopbackUrl(pspBase)) {
      warnings.push(`${s.name}: the published demo key, accepted only because TOSS_API_BASE (${pspBase}) is a sandbox on this machine. Never expose that sandbox.`);
      continue;
    }
    problems.push(`${s.name}: is a published demo value; set your own secret${s.psp ? ` (demo PSP keys are accepted only with a loopback sandbox, and TOSS_API_BASE is ${pspBase})` : ''}`);
  }
  return { problems, warnings };
}
