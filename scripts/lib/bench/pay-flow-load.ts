/**
 * The whole shopper pay flow as an autocannon request sequence. Each connection is one shopper
 * looping: checkout → payment request → the sandbox window's approve form (303 to our success
 * URL) → confirm. A failed step sends the connection back to a new checkout.
 *
 * autocannon measures every response; it reports one histogram for all of them, so each step's
 * latency is recorded into its own HDR histogram from autocannon's own response time (the
 * `response` event fires right after the step's onResponse hook has tagged the context).
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';

export const STEPS = ['checkout', 'request', 'authorize', 'confirm'] as const;
export type Step = (typeof STEPS)[number];

export interface PayFlowLoadOptions {
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  /** Products to buy from, one picked per checkout (one merchant's = the hot-merchant case). */
  productIds: string[];
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
  paymentsPerSecond: number;
  payments: number;
  /** Flows that ended in an unexpected answer (each restarts at checkout). */
  failedFlows: number;
  failuresByStep: Record<Step, number>;
  /** Transport errors and timeouts autocannon counted. */
  errors: number;
  timeouts: number;
  latencyMs: Record<Step, Percentiles>;
  httpRequestsPerSecond: number;
}

interface FlowContext {
  orderId?: string;
  amount?: number;
  orderName?: string;
  /** The window's client key, from the payment request's answer (as the checkout page does). */
  clientKey?: string;
  paymentKey?: string;
  /** The step whose response just arrived, for the `response` listener. */
  answered?: Step;
  failed?: boolean;
}

export async function runPayFlowLoad(opts: PayFlowLoadOptions): Promise<PayFlowLoadResult> {
  const histograms = Object.fromEntries(STEPS.map((s) => [s, hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })])) as Record<Step, hdr.Histogram>;
  const failuresByStep = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
  let payments = 0;
  let productCursor = 0;
  const successUrl = `${opts.baseUrl}/checkout/success`;
  const failUrl = `${opts.baseUrl}/checkout/fail`;

  const answered = (ctx: FlowContext, step: Step, ok: boolean) => {
    ctx.answered = step;
    if (!ok) {
      failuresByStep[step]++;
      ctx.failed = true;
    }
  };
  const parse = (body: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };

  // autocannon restarts a connection at the first request when setupRequest returns a falsy
  // value (documented); its typings do not admit that.
  const restart = null as unknown as autocannon.Request;

  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/api/checkout',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => {
        const productId = opts.productIds[productCursor++ % opts.productIds.length]!;
        return { ...req, body: JSON.stringify({ items: [{ productId, quantity: 1 }], checkoutKey: randomUUID() }) };
      },
      onResponse: (status, body, context) => {
        const ctx = context as FlowContext;
        const order = parse(body);
        answered(ctx, 'checkout', status === 201 && typeof order?.orderId === 'string');
        ctx.orderId = order?.orderId as string | undefined;
      },
    },
    {
      method: 'POST',
      setupRequest: (req, context) => {
        const ctx = context as FlowContext;
        return ctx.failed ? restart : { ...req, path: `/api/orders/${ctx.orderId}/payment-request` };
      },
      onResponse: (status, body, context) => {
        const ctx = context as FlowContext;
        const request = parse(body);
        answered(ctx, 'request', status === 200 && typeof request?.amount === 'number');
        ctx.amount = request?.amount as number | undefined;
        ctx.orderName = request?.orderName as string | undefined;
        ctx.clientKey = request?.clientKey as string | undefined;
      },
    },
    {
      method: 'POST',
      path: '/psp/window/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (req, context) => {
        const ctx = context as FlowContext;
        if (ctx.failed) return restart;
        const form = new URLSearchParams({
          clientKey: ctx.clientKey!,
          orderId: ctx.orderId!,
          orderName: ctx.orderName!,
          amount: String(ctx.amount),
          currency: 'KRW',
          successUrl,
          failUrl,
          action: 'approve',
        });
        return { ...req, body: form.toString() };
      },
      onResponse: (status, _body, context, headers) => {
        const ctx = context as FlowContext;
        const location = headers?.location ?? headers?.Location;
        const url = status === 303 && typeof location === 'string' && location.startsWith(successUrl) ? new URL(location) : undefined;
        answered(ctx, 'authorize', !!url?.searchParams.get('paymentKey'));
        ctx.paymentKey = url?.searchParams.get('paymentKey') ?? undefined;
      },
    },
    {
      method: 'POST',
      path: '/api/payments/confirm',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req, context) => {
        const ctx = context as FlowContext;
        if (ctx.failed) return restart;
        return { ...req, body: JSON.stringify({ orderId: ctx.orderId, paymentKey: ctx.paymentKey, amount: String(ctx.amount) }) };
      },
      onResponse: (status, body, context) => {
        const ctx = context as FlowContext;
        const ok = status === 200 && parse(body)?.status === 'PAID';
        answered(ctx, 'confirm', ok);
        if (ok) payments++;
      },
    },
  ];

  const instance = autocannon({
    url: opts.baseUrl,
    connections: opts.connections,
    duration: opts.durationSeconds,
    timeout: 30,
    requests,
  }) as unknown as EventEmitter & PromiseLike<autocannon.Result>; // the tracker is both (lib/init.js)
  instance.on('response', (client: { requestIterator?: { context?: FlowContext } }, _status: number, _bytes: number, responseTimeMs: number) => {
    const ctx = client.requestIterator?.context;
    if (!ctx?.answered) return;
    histograms[ctx.answered].recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
    ctx.answered = undefined;
  });
  const result = await instance;
  const failedFlows = Object.values(failuresByStep).reduce((a, b) => a + b, 0);
  const micros = (h: hdr.Histogram): Percentiles => ({
    p50: h.getValueAtPercentile(50) / 1000,
    p95: h.getValueAtPercentile(95) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
    count: h.totalCount,
  });
  return {
    connections: opts.connections,
    durationSeconds: result.duration,
    payments,
    paymentsPerSecond: payments / result.duration,
    failedFlows,
    failuresByStep,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: Object.fromEntries(STEPS.map((s) => [s, micros(histograms[s])])) as Record<Step, Percentiles>,
    httpRequestsPerSecond: result.requests.total / result.duration,
  };
}
