import { randomUUID } from 'node:crypto';
import type { Db } from '@/db/client';
import { sandboxDb } from '@/sandbox/db/client';
import { authorizePaymentWindow } from '@/sandbox/lib/authorize-window';
import { injectFault } from '@/sandbox/lib/faults';
import { ensurePspMerchant } from '@/sandbox/lib/merchants';
import { createSandboxHandler } from '@/sandbox/server';
import { createTossClient, type TossClient } from '@/lib/psp/toss-client';
import { serveFetchHandler } from './serve';

export interface SandboxUnderTest {
  baseUrl: string;
  clientKey: string;
  secretKey: string;
  /** Confirm requests the sandbox received (each HTTP request, replays included). */
  confirmCalls: () => number;
  /**
   * A client of the sandbox. `headers` (e.g. TossPayments-Test-Code) go with POSTs (confirm,
   * cancel) only, as the confirm-time test codes are meant, so the lookup confirm makes first still
   * answers; `everyRequest` sends them with lookups too (a PSP that is down for everything).
   */
  client: (opts?: { timeoutMs?: number; headers?: Record<string, string>; everyRequest?: boolean }) => TossClient;
  /** The sandbox carries out the next such call but its answer is lost (the connection fails). */
  loseNextAnswer: (operation: 'confirm' | 'cancel') => Promise<void>;
  /** Makes the sandbox wait before answering POSTs (confirm, cancel), to provoke client timeouts. */
  setDelay: (ms: number) => void;
  /** The shopper approves in the payment window (by card unless `payWith` says otherwise); returns the success redirect's query. */
  approve: (order: { orderId: string; orderName: string; amount: number }, payWith?: string) => Promise<{ orderId: string; paymentKey: string; amount: string }>;
  /** The bank's side of a virtual account, over HTTP with the operator token: deposit, reverse-deposit, pass-due-date. */
  bank: (paymentKey: string, action: 'deposit' | 'reverse-deposit' | 'pass-due-date') => Promise<void>;
  close: () => Promise<void>;
}

/** Operator token of the sandboxes tests start. */
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789';

/**
 * The product's PSP sandbox (its whole HTTP surface: /v1/…, /window) on a real HTTP port, on the
 * sandbox schema of `shopDb`'s server, with a merchant of its own for this test file.
 */
export async function startSandbox(shopDb: Db): Promise<SandboxUnderTest> {
  const db = sandboxDb(shopDb);
  const suffix = randomUUID().replaceAll('-', '').slice(0, 16);
  const clientKey = `test_ck_${suffix}`;
  const secretKey = `test_sk_${suffix}`;
  const mId = `m${suffix.slice(0, 12)}`;
  await ensurePspMerchant(db, { mId, name: 'Test platform', clientKey, secretKey, redirectOrigins: ['http://shop.test'] });
  const handler = createSandboxHandler({ db, operatorToken: TEST_OPERATOR_TOKEN });
  let confirms = 0;
  let delay = 0;
  const server = await serveFetchHandler(async (req) => {
    if (req.method === 'POST' && new URL(req.url).pathname.endsWith('/payments/confirm')) confirms++;
    if (delay && req.method === 'POST') await new Promise((r) => setTimeout(r, delay));
    return handler(req);
  });
  const baseUrl = server.url;
  // One request first, so the tests' short client timeouts (80–100 ms) measure the confirm and not
  // the process's first fetch (undici's start-up) or the server's first request.
  await fetch(`${baseUrl}/healthz`).then((r) => r.text());
  return {
    baseUrl,
    clientKey,
    secretKey,
    confirmCalls: () => confirms,
    setDelay: (ms) => { delay = ms; },
    loseNextAnswer: async (operation) => { await injectFault(db, mId, { operation, mode: 'lose-response' }); },
    client: (opts = {}) => createTossClient({
      baseUrl, secretKey, timeoutMs: opts.timeoutMs ?? 5_000,
      fetch: opts.headers && !opts.everyRequest
        ? (input, init) => fetch(input, init?.method === 'POST' ? { ...init, headers: { ...(init.headers as Record<string, string>), ...opts.headers } } : init)
        : undefined,
      headers: opts.everyRequest ? opts.headers : undefined,
    }),
    bank: async (paymentKey, action) => {
      const res = await fetch(`${baseUrl}/v1/sandbox/payments/${encodeURIComponent(paymentKey)}/${action}`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`, 'sandbox-operator-token': TEST_OPERATOR_TOKEN },
      });
      if (res.status !== 200) throw new Error(`sandbox ${action} of ${paymentKey}: ${res.status} ${await res.text()}`);
    },
    approve: async (order, payWith) => {
      const redirect = await authorizePaymentWindow(db, {
        clientKey,
        orderId: order.orderId,
        orderName: order.orderName,
        amount: order.amount,
        currency: 'KRW',
        successUrl: 'http://shop.test/checkout/success',
        failUrl: 'http://shop.test/checkout/fail',
        action: 'approve',
        payWith,
      });
      const q = new URL(redirect).searchParams;
      return { orderId: q.get('orderId')!, paymentKey: q.get('paymentKey')!, amount: q.get('amount')! };
    },
    close: server.close,
  };
}
