import { spawn } from 'node:child_process';
import { expect } from '@playwright/test';
import postgres from 'postgres';
import { runningEmbeddedUrl } from '../../db/embedded';
import { appPgDir, sandboxURL } from '../../playwright.config';

/**
 * What happens behind a shopper's back, done the way it happens in production: the bank's side
 * of the PSP sandbox (a deposit, a due date passing), a fault the PSP's network makes, and one
 * pass of our recovery worker (`workers/recovery.ts --once`, a real process on the app's
 * database). The e2e run starts no resident workers (the health test needs them down).
 */

const DEMO_SECRET_KEY = process.env.TOSS_SECRET_KEY ?? 'test_sk_sandbox_zXLkKEypNArWmo50nX3l';
const OPERATOR_TOKEN = process.env.SANDBOX_OPERATOR_TOKEN ?? 'sandbox-operator-dev-token';
const basic = `Basic ${Buffer.from(`${DEMO_SECRET_KEY}:`).toString('base64')}`;
const operatorHeaders = { authorization: basic, 'sandbox-operator-token': OPERATOR_TOKEN, 'content-type': 'application/json' };

/** The PSP's key for the payment of an order, read from the sandbox as the merchant would. */
export async function pspPaymentKey(orderId: string): Promise<string> {
  const lookup = await fetch(`${sandboxURL}/v1/payments/orders/${encodeURIComponent(orderId)}`, { headers: { authorization: basic } });
  expect(lookup.status, await lookup.clone().text()).toBe(200);
  return ((await lookup.json()) as { paymentKey: string }).paymentKey;
}

/** The bank's side of a virtual account: the shopper's deposit, or the due date passing without one. */
export async function atTheBank(orderId: string, action: 'deposit' | 'pass-due-date'): Promise<void> {
  const paymentKey = await pspPaymentKey(orderId);
  const res = await fetch(`${sandboxURL}/v1/sandbox/payments/${paymentKey}/${action}`, { method: 'POST', headers: operatorHeaders });
  expect(res.status, await res.text()).toBe(200);
}

async function armFault(fault: { operation: 'confirm' | 'lookup'; mode: 'lose-response' | 'slow'; paymentKey: string; count: number; delayMs?: number }): Promise<void> {
  const res = await fetch(`${sandboxURL}/v1/sandbox/faults`, { method: 'POST', headers: operatorHeaders, body: JSON.stringify(fault) });
  expect(res.status, await res.text()).toBe(200);
}

/**
 * The PSP approves this payment's confirm but its answer is lost on the way back, and for a few
 * seconds the PSP answers lookups of it slowly: the window in which nobody on our side knows
 * yet (its webhook and recovery both look the payment up before acting).
 */
export async function loseConfirmAnswer(paymentKey: string, unsureForMs = 6_000): Promise<void> {
  await armFault({ operation: 'confirm', mode: 'lose-response', paymentKey, count: 1 });
  await armFault({ operation: 'lookup', mode: 'slow', paymentKey, count: 2, delayMs: unsureForMs });
}

function appDatabaseUrl(): string {
  const url = runningEmbeddedUrl(appPgDir, 'won_checkout');
  if (!url) throw new Error(`no PostgreSQL runs on ${appPgDir}: this spec needs the app that playwright.config.ts starts (not E2E_BASE_URL)`);
  return url;
}

async function onAppDatabase(run: (sql: postgres.Sql) => Promise<void>): Promise<void> {
  const sql = postgres(appDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Days pass on our side too: the sandbox's pass-due-date moves the PSP's clock past the due date,
 * and this moves our copy of the due date into the past, as the same days would.
 */
export async function ourDueDatePassed(orderId: string): Promise<void> {
  await onAppDatabase(async (sql) => {
    const moved = await sql`
      update virtual_accounts set due_at = now() - interval '1 hour'
      where payment_id in (select id from payments where order_id = ${orderId})`;
    expect(moved.count).toBe(1);
  });
}

/** Half an hour passes after the shopper opened the PSP's window and walked away (the window's life is 30 minutes). */
export async function windowOpenedLongAgo(orderId: string): Promise<void> {
  await onAppDatabase(async (sql) => {
    const moved = await sql`
      update payments set created_at = created_at - interval '31 minutes'
      where order_id = ${orderId} and status = 'NOT_STARTED'`;
    expect(moved.count).toBe(1);
  });
}

/** One pass of the recovery worker (its own process, as an operator would run it), with no grace period. */
export async function recoveryPass(): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/recovery.ts', '--once'], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: appDatabaseUrl(),
      TOSS_API_BASE: sandboxURL,
      TOSS_SECRET_KEY: DEMO_SECRET_KEY,
      RECOVERY_GRACE_MS: '0',
      RECOVERY_DAILY_RECONCILIATION: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, output).toBe(0);
  return output;
}
