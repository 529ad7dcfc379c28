import { describe, expect, it } from 'vitest';
import { DEMO_CLIENT_KEY, DEMO_SECRET_KEY, DEV_OPERATOR_TOKEN, parseSandboxEnv } from '@/sandbox/lib/env';

describe('sandbox server environment', () => {
  it('defaults: port 3001 on 127.0.0.1, the demo keys, the dev operator token, a shop at localhost:3000', () => {
    const e = parseSandboxEnv({});
    expect(e).toMatchObject({
      SANDBOX_PORT: 3001, SANDBOX_HOST: '127.0.0.1', SANDBOX_OPERATOR_TOKEN: DEV_OPERATOR_TOKEN, databaseUrl: undefined,
      PSP_SANDBOX_WEBHOOK_TIME_SCALE: 1, PSP_SANDBOX_PAYOUT_DELAY_DAYS: 2, PSP_SANDBOX_WEBHOOK_INTERVAL_MS: 1_000,
      PSP_SANDBOX_WEBHOOK_LEASE_MS: 70_000, SANDBOX_ABANDONED_CLAIM_MS: 60_000,
    });
    expect(e.merchant).toEqual({
      clientKey: DEMO_CLIENT_KEY, secretKey: DEMO_SECRET_KEY,
      redirectOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      webhookUrl: 'http://localhost:3000/api/webhooks/psp',
    });
  });

  it('reads the settings: its own database first, the shop from SANDBOX_MERCHANT_URL then APP_URL', () => {
    const e = parseSandboxEnv({
      SANDBOX_DATABASE_URL: 'postgres://u:p@db:5432/psp', DATABASE_URL: 'postgres://u:p@db:5432/shop',
      APP_URL: 'https://shop.example', PSP_SANDBOX_WEBHOOK_TIME_SCALE: '0.01', PSP_SANDBOX_PAYOUT_DELAY_DAYS: '7',
    });
    expect(e.databaseUrl).toBe('postgres://u:p@db:5432/psp');
    expect(e.merchant.redirectOrigins).toEqual(['https://shop.example']);
    expect(e.merchant.webhookUrl).toBe('https://shop.example/api/webhooks/psp');
    expect([e.PSP_SANDBOX_WEBHOOK_TIME_SCALE, e.PSP_SANDBOX_PAYOUT_DELAY_DAYS]).toEqual([0.01, 7]);
    expect(parseSandboxEnv({ SANDBOX_MERCHANT_URL: 'http://127.0.0.1:3100', APP_URL: 'https://x.example' }).merchant.redirectOrigins)
      .toEqual(['http://127.0.0.1:3100', 'http://localhost:3100']);
  });

  it.each([
    [{ PSP_SANDBOX_WEBHOOK_TIME_SCALE: '0' }, 'PSP_SANDBOX_WEBHOOK_TIME_SCALE'],
    [{ PSP_SANDBOX_WEBHOOK_TIME_SCALE: 'fast' }, 'PSP_SANDBOX_WEBHOOK_TIME_SCALE'],
    [{ PSP_SANDBOX_PAYOUT_DELAY_DAYS: '1.5' }, 'PSP_SANDBOX_PAYOUT_DELAY_DAYS'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL'],
    [{ SANDBOX_OPERATOR_TOKEN: 'short' }, 'SANDBOX_OPERATOR_TOKEN'],
  ])('refuses %o', (source, name) => {
    expect(() => parseSandboxEnv(source)).toThrow(name);
  });

  describe('a production start', () => {
    const own = { TOSS_CLIENT_KEY: 'test_ck_ours', TOSS_SECRET_KEY: 'test_sk_ours', SANDBOX_OPERATOR_TOKEN: 'a-long-random-operator-token' };

    it('refuses a missing operator token and the development default', () => {
      expect(() => parseSandboxEnv({ NODE_ENV: 'production', ...own, SANDBOX_OPERATOR_TOKEN: '' })).toThrow('SANDBOX_OPERATOR_TOKEN: required in production');
      expect(() => parseSandboxEnv({ NODE_ENV: 'production', ...own, SANDBOX_OPERATOR_TOKEN: DEV_OPERATOR_TOKEN })).toThrow('SANDBOX_OPERATOR_TOKEN');
    });

    it('refuses the published demo keys unless SANDBOX_ALLOW_DEMO_KEYS=1', () => {
      expect(() => parseSandboxEnv({ NODE_ENV: 'production', ...own, TOSS_SECRET_KEY: DEMO_SECRET_KEY })).toThrow('demo keys are refused in production');
      expect(() => parseSandboxEnv({ NODE_ENV: 'production', ...own, TOSS_CLIENT_KEY: DEMO_CLIENT_KEY })).toThrow('demo keys are refused in production');
      expect(parseSandboxEnv({ NODE_ENV: 'production', ...own, TOSS_CLIENT_KEY: '', TOSS_SECRET_KEY: '', SANDBOX_ALLOW_DEMO_KEYS: '1' }).merchant.secretKey).toBe(DEMO_SECRET_KEY);
    });

    it('starts with its own keys and token', () => {
      expect(parseSandboxEnv({ NODE_ENV: 'production', ...own }).SANDBOX_OPERATOR_TOKEN).toBe(own.SANDBOX_OPERATOR_TOKEN);
    });
  });
});
