import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import type { Db } from '@/sandbox/db/client';
import { pspPayments } from '@/sandbox/db/schema';
import { authorizePaymentWindow } from '@/sandbox/lib/authorize-window';
import { ensurePspMerchant, type PspMerchant } from '@/sandbox/lib/merchants';
import { closeTestDatabase } from '@/tests/helpers/db';
import { serveFetchHandler } from '@/tests/helpers/serve';
import { startSandboxServer } from '@/sandbox/server';

/** A clock the test moves by hand; starts at the real time so rows look ordinary. */
export function testClock(start = new Date()) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
}
export type TestClock = ReturnType<typeof testClock>;

const hex = () => randomUUID().replaceAll('-', '');

/** A PSP merchant with fresh random keys, so test files never share rows. */
export function createPspMerchant(db: Db, opts: { live?: boolean; webhookUrl?: string; redirectOrigins?: string[] } = {}): Promise<PspMerchant> {
  const id = hex();
  const mode = opts.live ? 'live' : 'test';
  return ensurePspMerchant(db, {
    mId: `t${id.slice(0, 13)}`,
    name: `Sandbox shop ${id.slice(0, 6)}`,
    clientKey: `${mode}_ck_${id}`,
    secretKey: `${mode}_sk_${id}`,
    webhookUrl: opts.webhookUrl,
    redirectOrigins: opts.redirectOrigins ?? SHOP_ORIGINS,
  });
}

/** The test shop's origins, registered for every test merchant (the window redirects only there). */
export const SHOP_ORIGINS = ['http://shop.test', 'https://shop.test'];

/** The operator token of the sandbox servers these tests start. */
export const OPERATOR_TOKEN = 'sandbox-test-operator-token';

export const newOrderId = () => `ord_${hex()}`;

export function basicAuth(secretKey: string): string {
  return `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;
}

export interface ApiAnswer {
  status: number;
  text: string;
  /** Parsed body (undefined when not JSON); `any` because tests read arbitrary fields. */
  json: any;
}

export interface RunningSandbox {
  /** Origin of the sandbox server; the API is under `${url}/v1`, the window at `${url}/window`. */
  url: string;
  /** Calls the API over HTTP. Auth: `secretKey` (Basic-encoded here), or a raw `authorization` header, or neither. */
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts?: {
    secretKey?: string | null;
    authorization?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    /** For the control routes (/v1/sandbox/…): default OPERATOR_TOKEN; null sends none. */
    operatorToken?: string | null;
  }): Promise<ApiAnswer>;
  confirm(secretKey: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  cancel(secretKey: string, paymentKey: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  close(): Promise<void>;
}

/** The sandbox server (sandbox/server.ts, as `npm run sandbox` serves it) on a free port, reading time from `clock`. */
export async function startSandbox(db: Db, clock: TestClock): Promise<RunningSandbox> {
  const server = await startSandboxServer({ db, now: clock.now, operatorToken: OPERATOR_TOKEN, port: 0 });
  const call: RunningSandbox['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const operatorToken = opts.operatorToken === undefined ? OPERATOR_TOKEN : opts.operatorToken;
    if (path.startsWith('/v1/sandbox/') && operatorToken !== null) headers['sandbox-operator-token'] = operatorToken;
    if (opts.authorization !== undefined) headers.authorization = opts.authorization;
    else if (opts.secretKey) headers.authorization = basicAuth(opts.secretKey);
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  };
  return {
    url: server.url,
    call,
    confirm: (secretKey, body, headers) => call('POST', '/v1/payments/confirm', { secretKey, body, headers }),
    cancel: (secretKey, paymentKey, body, headers) =>
      call('POST', `/v1/payments/${encodeURIComponent(paymentKey)}/cancel`, { secretKey, body, headers }),
    close: server.close,
  };
}

export interface Authorized {
  paymentKey: string;
  orderId: string;
  /** As the successUrl carries it: a string. */
  amount: string;
}

/** The buyer approves in the payment window; returns the successUrl's query. */
export async function approveInWindow(
  db: Db,
  merchant: PspMerchant,
  clock: TestClock,
  order: { orderId?: string; amount?: number; orderName?: string; payWith?: string; validHours?: number } = {},
): Promise<Authorized> {
  const redirect = await authorizePaymentWindow(db, {
    clientKey: merchant.clientKey,
    orderId: order.orderId ?? newOrderId(),
    orderName: order.orderName ?? '생수 외 1건',
    amount: order.amount ?? 15_000,
    currency: 'KRW',
    successUrl: 'http://shop.test/checkout/success',
    failUrl: 'http://shop.test/checkout/fail',
    action: 'approve',
    payWith: order.payWith,
    validHours: order.validHours,
  }, clock.now);
  const q = new URL(redirect).searchParams;
  const paymentKey = q.get('paymentKey');
  const orderId = q.get('orderId');
  const amount = q.get('amount');
  if (!paymentKey || !orderId || !amount) throw new Error(`approve did not redirect to successUrl: ${redirect}`);
  return { paymentKey, orderId, amount };
}

export async function paymentRow(db: Db, paymentKey: string) {
  const [row] = await db.select().from(pspPayments).where(eq(pspPayments.paymentKey, paymentKey));
  if (!row) throw new Error(`no psp payment ${paymentKey}`);
  return row;
}

/** A payment approved in the window and confirmed over the API: status DONE. */
export async function confirmedPayment(
  db: Db,
  sandbox: RunningSandbox,
  merchant: PspMerchant,
  clock: TestClock,
  order: { orderId?: string; amount?: number; orderName?: string; payWith?: string; validHours?: number } = {},
): Promise<Authorized & { approval: ApiAnswer }> {
  const auth = await approveInWindow(db, merchant, clock, order);
  const approval = await sandbox.confirm(merchant.secretKey, auth);
  if (approval.status !== 200) throw new Error(`confirm failed: ${approval.status} ${approval.text}`);
  return { ...auth, approval };
}

export interface ReceivedWebhook {
  headers: Headers;
  text: string;
  /** Parsed body; `any` because tests read arbitrary fields. */
  json: any;
}

export interface WebhookReceiver {
  /** The URL to register, `http://127.0.0.1:<port>/webhooks/toss`. */
  url: string;
  received: ReceivedWebhook[];
  /** What the receiver answers; default 200. */
  answer: (fn: (hook: ReceivedWebhook) => number | Promise<number>) => void;
  close(): Promise<void>;
}

/** A merchant's webhook endpoint on a real HTTP port, recording every POST. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let answer: (hook: ReceivedWebhook) => number | Promise<number> = () => 200;
  const server = await serveFetchHandler(async (req) => {
    const text = await req.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const hook = { headers: req.headers, text, json };
    received.push(hook);
    return new Response(null, { status: await answer(hook) });
  });
  return {
    url: `${server.url}/webhooks/toss`,
    received,
    answer: (fn) => { answer = fn; },
    close: server.close,
  };
}

/** What a sandbox test file works with; filled in by beforeAll, so read it inside tests. */
export interface SandboxHarness {
  sandbox: RunningSandbox;
  merchant: PspMerchant;
}

/**
 * What sandbox tests share: before all tests a PSP merchant with fresh keys and the sandbox API
 * on a real HTTP port reading time from `clock`; after all, both closed.
 */
export function useSandboxHarness(db: Db, clock: TestClock): SandboxHarness {
  const h = {} as SandboxHarness;
  beforeAll(async () => {
    h.merchant = await createPspMerchant(db);
    h.sandbox = await startSandbox(db, clock);
  });
  afterAll(async () => {
    await h.sandbox?.close();
    await closeTestDatabase();
  });
  return h;
}
