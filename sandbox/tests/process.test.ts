import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxDatabase, sandboxDb } from '@/sandbox/db/client';
import { DEMO_SECRET_KEY } from '@/sandbox/lib/env';
import { pspWebhookDeliveries } from '@/sandbox/db/schema';
import { confirmPayment } from '@/sandbox/lib/confirm-payment';
import type { PspMerchant } from '@/sandbox/lib/merchants';
import { createIsolatedDatabase } from '@/tests/helpers/db';
import { approveInWindow, createPspMerchant, startWebhookReceiver, testClock, type WebhookReceiver } from './support';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = 'sandbox/main.ts';

// The process delivers every due webhook in its database: it gets one of its own.
let database: Pick<SandboxDatabase, 'db' | 'close'> & { url: string };
let receiver: WebhookReceiver;
let merchant: PspMerchant;
const clock = testClock();

beforeAll(async () => {
  const own = await createIsolatedDatabase();
  database = { db: sandboxDb(own.sql), close: own.close, url: own.url };
  receiver = await startWebhookReceiver();
  merchant = await createPspMerchant(database.db, { webhookUrl: receiver.url });
});
afterAll(async () => {
  await receiver.close();
  await database.close();
});

function startWorker(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { NODE_ENV: 'test', PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', SANDBOX_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('npm run sandbox (sandbox/main.ts)', () => {
  it('prints its usage with --help and exits 0', async () => {
    const w = startWorker(['--help'], {});
    expect(await w.exited).toBe(0);
    expect(w.output()).toContain('Usage: npm run sandbox');
    expect(w.output()).toContain('SANDBOX_OPERATOR_TOKEN');
  });

  it('refuses a production start with the development operator token or the published demo keys', async () => {
    const noToken = startWorker([], { NODE_ENV: 'production', DATABASE_URL: database.url, TOSS_CLIENT_KEY: 'test_ck_own', TOSS_SECRET_KEY: 'test_sk_own' });
    expect(await noToken.exited).toBe(1);
    expect(noToken.output()).toContain('SANDBOX_OPERATOR_TOKEN: required in production');

    const demo = startWorker([], { NODE_ENV: 'production', DATABASE_URL: database.url, SANDBOX_OPERATOR_TOKEN: 'a-long-operator-token-123' });
    expect(await demo.exited).toBe(1);
    expect(demo.output()).toContain('demo keys are refused in production');
  });

  it('serves the window and the API on its own port, with the demo merchant registered', async () => {
    const w = startWorker([], { DATABASE_URL: database.url, SANDBOX_MERCHANT_URL: 'http://localhost:4555' });
    try {
      await waitFor(() => /serving on (http:\/\/\S+) /.test(w.output()), 'the server to listen');
      const base = /serving on (http:\/\/\S+) /.exec(w.output())![1]!;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const query = new URLSearchParams({
        clientKey: 'test_ck_sandbox_D5GePWvyJnrK0W0k6q8g', orderId: 'order_process_1', orderName: 'Mug', amount: '12000',
        successUrl: 'http://127.0.0.1:4555/checkout/success', failUrl: 'http://localhost:4555/checkout/fail',
      });
      const page = await fetch(`${base}/window?${query}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await page.text()).toContain('data-testid="psp-approve"');
      const lookup = await fetch(`${base}/v1/payments/orders/order_process_1`, { headers: { authorization: `Basic ${Buffer.from(`${DEMO_SECRET_KEY}:`).toString('base64')}` } });
      expect(lookup.status).toBe(404);
      expect((await lookup.json()).code).toBe('NOT_FOUND_PAYMENT');
    } catch (err) {
      throw new Error(`${(err as Error).message}; output:\n${w.output()}`);
    } finally {
      w.child.kill('SIGTERM');
    }
    expect(await w.exited).toBe(0);
  });

  it('delivers due webhooks every second, retries on the scaled schedule, and stops on SIGTERM', async () => {
    let calls = 0;
    receiver.answer(() => (++calls === 1 ? 500 : 200));
    const auth = await approveInWindow(database.db, merchant, clock);
    await confirmPayment(database.db, { mId: merchant.mId, paymentKey: auth.paymentKey, orderId: auth.orderId, amount: Number(auth.amount) }, clock.now);

    const w = startWorker([], { DATABASE_URL: database.url, PSP_SANDBOX_WEBHOOK_TIME_SCALE: '0.001' });
    try {
      await waitFor(() => receiver.received.length >= 2, 'the first try and its retry');
      await waitFor(async () => {
        const [row] = await database.db.select().from(pspWebhookDeliveries).where(eq(pspWebhookDeliveries.paymentKey, auth.paymentKey));
        return row?.status === 'DELIVERED';
      }, 'the delivery to be recorded');
    } catch (err) {
      throw new Error(`${(err as Error).message}; worker output:\n${w.output()}`);
    } finally {
      w.child.kill('SIGTERM');
    }
    expect(await w.exited).toBe(0);
    expect(receiver.received.map((h) => h.headers.get('tosspayments-webhook-transmission-retried-count'))).toEqual(['0', '1']);
    expect(receiver.received.map((h) => h.json.data.paymentKey)).toEqual([auth.paymentKey, auth.paymentKey]);
  });
});
