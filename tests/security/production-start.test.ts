import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkProductionSecrets, DEMO_REFUND_ACCOUNT_KEY, DEMO_SECRET_VALUES } from '@/lib/security/production-secrets';

const GOOD = {
  BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
  REFUND_ACCOUNT_KEY: randomBytes(32).toString('base64'),
  TOSS_CLIENT_KEY: 'live_ck_0123456789abcdefghij',
  TOSS_SECRET_KEY: 'live_sk_0123456789abcdefghij',
  TOSS_API_BASE: 'https://api.tosspayments.com',
};
const SANDBOX_CK = 'test_ck_sandbox_D5GePWvyJnrK0W0k6q8g';
const SANDBOX_SK = 'test_sk_sandbox_zXLkKEypNArWmo50nX3l';

/**
 * Runs `scripts/start.ts` as `npm start` does. A refused secret must stop it before anything
 * starts (no database, no server): the exit is immediate and the message names the variable.
 */
function start(env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const began = Date.now();
  return new Promise((resolve, reject) => {
    const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: process.cwd(),
      // Nothing inherited: the test says exactly what the deployment set. DATABASE_URL points at
      // a port nothing listens on, so a start that got past the secrets would fail differently.
      env: { PATH: process.env.PATH ?? '', PORT: '1', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ...env } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - began });
    });
  });
}

describe('a production start refuses missing and published secrets', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['no BETTER_AUTH_SECRET', { ...GOOD, BETTER_AUTH_SECRET: '' }, 'BETTER_AUTH_SECRET'],
    ['the development auth secret', { ...GOOD, BETTER_AUTH_SECRET: 'development-only-secret-do-not-use-in-production!' }, 'BETTER_AUTH_SECRET'],
    ['no REFUND_ACCOUNT_KEY', { ...GOOD, REFUND_ACCOUNT_KEY: '' }, 'REFUND_ACCOUNT_KEY'],
    ['the development refund account key', { ...GOOD, REFUND_ACCOUNT_KEY: DEMO_REFUND_ACCOUNT_KEY }, 'REFUND_ACCOUNT_KEY'],
    ['the demo client key against a real PSP', { ...GOOD, TOSS_CLIENT_KEY: SANDBOX_CK }, 'TOSS_CLIENT_KEY'],
    ['the demo secret key against a real PSP', { ...GOOD, TOSS_SECRET_KEY: SANDBOX_SK }, 'TOSS_SECRET_KEY'],
    ['no PSP secret key against a real PSP (the default is the demo key)', { ...GOOD, TOSS_SECRET_KEY: '' }, 'TOSS_SECRET_KEY'],
    ['the demo keys against a PSP on another host', { ...GOOD, TOSS_API_BASE: 'http://psp.internal:3001', TOSS_CLIENT_KEY: SANDBOX_CK, TOSS_SECRET_KEY: SANDBOX_SK }, 'TOSS_SECRET_KEY'],
  ];
  for (const [name, env, variable] of cases) {
    it(`exits at once, naming ${variable}: ${name}`, { timeout: 40_000 }, async () => {
      const r = await start(env);
      expect(r.code, r.output).not.toBe(0);
      expect(r.code, r.output).not.toBeNull();
      expect(r.output).toContain(variable);
      expect(r.output).not.toMatch(/applying migrations|starting Next/);
    });
  }

  it('every published value is refused for every secret variable', () => {
    for (const value of DEMO_SECRET_VALUES) {
      for (const name of ['BETTER_AUTH_SECRET', 'REFUND_ACCOUNT_KEY', 'TOSS_CLIENT_KEY', 'TOSS_SECRET_KEY', 'PSP_WEBHOOK_SECRET', 'MERCHANT_WEBHOOK_SECRET']) {
        const { problems } = checkProductionSecrets({ ...GOOD, [name]: value }, 'https://api.tosspayments.com');
        expect(problems.join('\n'), `${name}=${value}`).toContain(name);
      }
    }
  });

  it('accepts the demo PSP keys against a loopback sandbox, with a warning', () => {
    for (const base of ['http://127.0.0.1:3001', 'http://localhost:3001/psp', 'http://[::1]:3001']) {
      const r = checkProductionSecrets({ BETTER_AUTH_SECRET: GOOD.BETTER_AUTH_SECRET, REFUND_ACCOUNT_KEY: GOOD.REFUND_ACCOUNT_KEY, TOSS_CLIENT_KEY: SANDBOX_CK }, base);
      expect(r.problems).toEqual([]);
      expect(r.warnings.join('\n')).toMatch(/TOSS_CLIENT_KEY[\s\S]*TOSS_SECRET_KEY/);
    }
  });

  it('gets past the secret check with real secrets (then fails only at the unreachable database)', { timeout: 40_000 }, async () => {
    const r = await start(GOOD);
    expect(r.output).toContain('applying migrations');
    expect(r.output).not.toMatch(/BETTER_AUTH_SECRET|TOSS_SECRET_KEY|TOSS_CLIENT_KEY/);
  });
});
