import { describe, expect, it } from 'vitest';
import { parseSandboxEnv, parseWebhookWorkerEnv } from '@/lib/psp-sandbox/env';

describe('sandbox environment', () => {
  it('defaults: Toss’s webhook schedule as is, payouts 2 days after the sale', () => {
    expect(parseSandboxEnv({})).toEqual({ PSP_SANDBOX_WEBHOOK_TIME_SCALE: 1, PSP_SANDBOX_PAYOUT_DELAY_DAYS: 2 });
    expect(parseSandboxEnv({ PSP_SANDBOX_WEBHOOK_TIME_SCALE: '', PSP_SANDBOX_PAYOUT_DELAY_DAYS: '' }))
      .toEqual({ PSP_SANDBOX_WEBHOOK_TIME_SCALE: 1, PSP_SANDBOX_PAYOUT_DELAY_DAYS: 2 });
  });

  it('reads the settings', () => {
    expect(parseSandboxEnv({ PSP_SANDBOX_WEBHOOK_TIME_SCALE: '0.01', PSP_SANDBOX_PAYOUT_DELAY_DAYS: '7' }))
      .toEqual({ PSP_SANDBOX_WEBHOOK_TIME_SCALE: 0.01, PSP_SANDBOX_PAYOUT_DELAY_DAYS: 7 });
  });

  it.each([
    [{ PSP_SANDBOX_WEBHOOK_TIME_SCALE: '0' }, 'PSP_SANDBOX_WEBHOOK_TIME_SCALE'],
    [{ PSP_SANDBOX_WEBHOOK_TIME_SCALE: 'fast' }, 'PSP_SANDBOX_WEBHOOK_TIME_SCALE'],
    [{ PSP_SANDBOX_PAYOUT_DELAY_DAYS: '1.5' }, 'PSP_SANDBOX_PAYOUT_DELAY_DAYS'],
    [{ PSP_SANDBOX_PAYOUT_DELAY_DAYS: '-1' }, 'PSP_SANDBOX_PAYOUT_DELAY_DAYS'],
  ])('refuses %o', (source, name) => {
    expect(() => parseSandboxEnv(source)).toThrow(name);
  });

  it('requires a postgres DATABASE_URL for the webhook worker', () => {
    expect(() => parseWebhookWorkerEnv({})).toThrow('DATABASE_URL: required');
    expect(() => parseWebhookWorkerEnv({ DATABASE_URL: 'mysql://x/y' })).toThrow('DATABASE_URL');
    expect(parseWebhookWorkerEnv({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' })).toMatchObject({
      PSP_SANDBOX_WEBHOOK_INTERVAL_MS: 1_000, PSP_SANDBOX_WEBHOOK_TIME_SCALE: 1, HEALTH_PORT: 0,
    });
  });
});
