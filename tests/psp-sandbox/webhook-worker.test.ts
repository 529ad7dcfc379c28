import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { pspWebhookDeliveries } from '@/db/schema';
import { confirmPayment } from '@/lib/psp-sandbox/confirm-payment';
import type { PspMerchant } from '@/lib/psp-sandbox/merchants';
import { createIsolatedDatabase } from '../helpers/db';
import { approveInWindow, createPspMerchant, startWebhookReceiver, testClock, type WebhookReceiver } from './support';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKER = 'workers/psp-sandbox-webhooks.ts';

// The worker delivers every due webhook in its database: it gets one of its own.
let database: Database & { url: string };
let receiver: WebhookReceiver;
let merchant: PspMerchant;
const clock = testClock();

beforeAll(async () => {
  database = await createIsolatedDatabase();
  receiver = await startWebhookReceiver();
  merchant = await createPspMerchant(database.db, { webhookUrl: receiver.url });
});
afterAll(async () => {
  await receiver.close();
  await database.close();
});

function startWorker(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    cwd: ROOT,
    env: { NODE_ENV: 'test', PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
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

describe('workers/psp-sandbox-webhooks.ts', () => {
  it('prints its usage with --help and exits 0', async () => {
    const w = startWorker(['--help'], {});
    expect(await w.exited).toBe(0);
    expect(w.output()).toContain('Usage:');
    expect(w.output()).toContain('PSP_SANDBOX_WEBHOOK_TIME_SCALE');
  });

  it('refuses to start without DATABASE_URL', async () => {
    const w = startWorker([], {});
    expect(await w.exited).toBe(1);
    expect(w.output()).toContain('DATABASE_URL');
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
