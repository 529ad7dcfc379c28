/**
 * The whole shopper pay flow as HTTP load. Each connection is one shopper looping:
 * checkout (whose answer carries the window's parameters for a new order; else the payment
 * request step) → the PSP window's approve form (on the sandbox's own server: 303 to our success
 * URL) → confirm. A failed step sends the shopper back to a new checkout.
 *
 * The `browser` flow also loads the pages a browser loads on the way (HTML only; a browser keeps
 * the static scripts and styles in its cache): the checkout page, the PSP's window, the success
 * page and the order status page.
 *
 * A small client of our own on node:http keep-alive sockets (one per shopper and server), not
 * autocannon: the window lives on another server (the sandbox, as Toss's does), and autocannon
 * drives one origin per run.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';

export const STEPS = ['checkout', 'request', 'authorize', 'confirm'] as const;
/** Pages the browser flow loads besides the API calls. */
export const PAGE_STEPS = ['checkoutPage', 'windowPage', 'successPage', 'orderPage'] as const;
export type Step = (typeof STEPS)[number] | (typeof PAGE_STEPS)[number];
export type Flow = 'api' | 'browser';

export interface PayFlowLoadOptions {
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  /** Products to buy from, one picked per checkout (one merchant's = the hot-merchant case). */
  productIds: string[];
  /** api (default): the calls of a payment; browser: the pages too. */
  flow?: Flow;
  /** Ask POST payment-request even when the checkout's answer has the window's parameters. */
  legacyRequest?: boolean;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export interface PayFlowLoadResult {
  connections: number;
  durationSeconds: number;
  flow: Flow;
  paymentsPerSecond: number;
  payments: number;
  /** Flows that ended in an unexpected answer (each restarts at checkout). */
  failedFlows: number;
  failuresByStep: Partial<Record<Step, number>>;
  /** Transport errors and timeouts. */
  errors: number;
  timeouts: number;
  latencyMs: Record<(typeof STEPS)[number], Percentiles> & Partial<Record<(typeof PAGE_STEPS)[number], Percentiles>>;
  httpRequestsPerSecond: number;
  /** HTTP requests per payment: to the merchant app and to the PSP sandbox. */
  requestsPerPayment: { web: number; sandbox: number };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

class Timeout extends Error {}

export async function runPayFlowLoad(opts: PayFlowLoadOptions): Promise<PayFlowLoadResult> {
  const flow = opts.flow ?? 'api';
  const steps: Step[] = flow === 'browser' ? [...STEPS, ...PAGE_STEPS] : [...STEPS];
  const histograms = new Map<Step, hdr.Histogram>(steps.map((s) => [s, hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })]));
  const failuresByStep: Partial<Record<Step, number>> = {};
  const base = new URL(opts.baseUrl);
  const successUrl = `${opts.baseUrl}/checkout/success`;
  const failUrl = `${opts.baseUrl}/checkout/fail`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  let payments = 0;
  let productCursor = 0;
  let errors = 0;
  let timeouts = 0;
  const requests = { web: 0, sandbox: 0 };

  const send = (step: Step, url: URL, method: string, body?: string, contentType?: string): Promise<Answer> => {
    const started = performance.now();
    if (url.host === base.host) requests.web++;
    else requests.sandbox++;
    return new Promise<Answer>((resolve, reject) => {
      const req = http.request(url, {
        method,
        agent,
        headers: body === undefined ? {} : { 'content-type': contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          histograms.get(step)!.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Timeout()));
      req.on('error', reject);
      req.end(body);
    });
  };
  const parse = (body: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const fail = (step: Step) => {
    failuresByStep[step] = (failuresByStep[step] ?? 0) + 1;
    return false;
  };
  const page = async (step: Step, url: URL) => {
    const a = await send(step, url, 'GET');
    return a.status === 200 || fail(step);
  };

  /** One payment; false when a step gave an unexpected answer. */
  const payOnce = async (): Promise<boolean> => {
    const productId = opts.productIds[productCursor++ % opts.productIds.length]!;
    const checkout = await send('checkout', new URL('/api/checkout', base), 'POST', JSON.stringify({ items: [{ productId, quantity: 1 }], checkoutKey: randomUUID() }));
    const order = parse(checkout.body);
    const orderId = order?.orderId;
    if (checkout.status !== 201 || typeof orderId !== 'string') return fail('checkout');
    if (flow === 'browser' && !(await page('checkoutPage', new URL(`/checkout/${encodeURIComponent(orderId)}`, base)))) return false;

    // A new order's answer carries the window's parameters (one request fewer); otherwise, or
    // with `legacyRequest`, the payment-request step asks for them as before.
    let request: Record<string, unknown> | undefined;
    const payment = order?.payment as Record<string, unknown> | undefined;
    if (payment && !opts.legacyRequest) {
      request = { ...order, ...payment };
    } else {
      const requested = await send('request', new URL(`/api/orders/${encodeURIComponent(orderId)}/payment-request`, base), 'POST');
      request = parse(requested.body);
      if (requested.status !== 200) return fail('request');
    }
    if (typeof request?.amount !== 'number' || typeof request.windowUrl !== 'string') return fail('request');
    const fields = {
      clientKey: String(request.clientKey), orderId, orderName: String(request.orderName), amount: String(request.amount),
      currency: String(request.currency), successUrl, failUrl,
    };
    const windowUrl = new URL(request.windowUrl, base);
    if (flow === 'browser') {
      const w = new URL(windowUrl);
      for (const [k, v] of Object.entries(fields)) w.searchParams.set(k, v);
      if (!(await page('windowPage', w))) return false;
    }

    // The window's form posts beside the window page, on the sandbox's server.
    const authorized = await send('authorize', new URL(`${windowUrl.pathname.replace(/\/$/, '')}/authorize`, windowUrl), 'POST',
      new URLSearchParams({ ...fields, action: 'approve' }).toString(), 'application/x-www-form-urlencoded');
    const location = authorized.headers.location;
    const success = authorized.status === 303 && typeof location === 'string' && location.startsWith(successUrl) ? new URL(location) : undefined;
    const paymentKey = success?.searchParams.get('paymentKey');
    if (!success || !paymentKey) return fail('authorize');
    if (flow === 'browser' && !(await page('successPage', success))) return false;

    const confirmed = await send('confirm', new URL('/api/payments/confirm', base), 'POST', JSON.stringify({ orderId, paymentKey, amount: String(request.amount) }));
    if (confirmed.status !== 200 || parse(confirmed.body)?.status !== 'PAID') return fail('confirm');
    if (flow === 'browser' && !(await page('orderPage', new URL(`/orders/${encodeURIComponent(orderId)}`, base)))) return false;
    return true;
  };

  const started = performance.now();
  const ends = started + opts.durationSeconds * 1000;
  let failedFlows = 0;
  const shopper = async () => {
    while (performance.now() < ends) {
      try {
        if (await payOnce()) payments++;
        else failedFlows++;
      } catch (err) {
        failedFlows++;
        if (err instanceof Timeout) timeouts++;
        else errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, shopper));
  const durationSeconds = (performance.now() - started) / 1000;
  agent.destroy();

  const micros = (h: hdr.Histogram): Percentiles => ({
    p50: h.getValueAtPercentile(50) / 1000,
    p95: h.getValueAtPercentile(95) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
    count: h.totalCount,
  });
  return {
    connections: opts.connections,
    durationSeconds,
    flow,
    payments,
    paymentsPerSecond: payments / durationSeconds,
    failedFlows,
    failuresByStep,
    errors,
    timeouts,
    latencyMs: Object.fromEntries(steps.map((s) => [s, micros(histograms.get(s)!)])) as PayFlowLoadResult['latencyMs'],
    httpRequestsPerSecond: (requests.web + requests.sandbox) / durationSeconds,
    requestsPerPayment: { web: requests.web / Math.max(payments, 1), sandbox: requests.sandbox / Math.max(payments, 1) },
  };
}
