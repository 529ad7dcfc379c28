import { z } from 'zod';

/**
 * HTTP client for Toss Payments' core API (version 2022-11-16). It talks to the product's
 * sandbox or to https://api.tosspayments.com: only the base URL and keys differ.
 * It never throws for a PSP answer; it returns what happened, because "we do not know" (a
 * timeout, a 5xx) must be handled differently from "declined".
 */

/** The fields of Toss's Payment object that we act on; unknown fields are ignored, as Toss asks. */
export const tossPaymentSchema = z.looseObject({
  paymentKey: z.string(),
  orderId: z.string(),
  status: z.string(),
  totalAmount: z.coerce.number(),
  balanceAmount: z.coerce.number(),
  currency: z.string(),
  method: z.string().nullish(),
  approvedAt: z.string().nullish(),
  lastTransactionKey: z.string().nullish(),
  failure: z.object({ code: z.string(), message: z.string() }).nullish(),
  easyPay: z.looseObject({ provider: z.string().nullish() }).nullish(),
  /** Virtual accounts only: what the shopper pays into, and whether its due date has passed. */
  virtualAccount: z.looseObject({
    accountNumber: z.string(),
    bankCode: z.string(),
    customerName: z.string().nullish(),
    dueDate: z.string(),
    expired: z.boolean().nullish(),
    refundStatus: z.string().nullish(),
    settlementStatus: z.string().nullish(),
  }).nullish(),
  /** Virtual accounts: the token DEPOSIT_CALLBACK carries, so the merchant can tell a genuine one. */
  secret: z.string().max(200).nullish(),
  cancels: z.array(z.looseObject({
    cancelAmount: z.coerce.number(),
    transactionKey: z.string(),
    canceledAt: z.string().nullish(),
    cancelStatus: z.string().nullish(),
  })).nullish(),
});
export type TossPayment = z.infer<typeof tossPaymentSchema>;

/** A settlement row (reference §7.1); cancels are separate rows with negative amounts. */
export const tossSettlementSchema = z.looseObject({
  paymentKey: z.string(),
  transactionKey: z.string(),
  orderId: z.string(),
  currency: z.string(),
  amount: z.coerce.number(),
  fee: z.coerce.number().optional(),
  fees: z.array(z.object({ type: z.string(), fee: z.coerce.number() })).nullish(),
  payOutAmount: z.coerce.number(),
  soldDate: z.string(),
  paidOutDate: z.string(),
  cancel: z.unknown().nullish(),
});
export type TossSettlement = z.infer<typeof tossSettlementSchema>;

const tossErrorSchema = z.object({ code: z.string(), message: z.string() });

export type PspCall<T> =
  | { kind: 'ok'; value: T }
  /** The PSP answered with its error shape: the outcome is whatever `code` says. */
  | { kind: 'error'; httpStatus: number; code: string; message: string }
  /** No usable answer (timeout, connection error, unparseable body): outcome unknown. */
  | { kind: 'no-answer'; reason: string };

export interface TossClientConfig {
  baseUrl: string;
  secretKey: string;
  timeoutMs: number;
  /** Sent with every request, e.g. `TossPayments-Test-Code` in tests against the sandbox. */
  headers?: Record<string, string>;
  /** The HTTP transport (default: global fetch); the seeded simulator puts its faulty network here. */
  fetch?: typeof fetch;
}

export interface ConfirmRequest {
  paymentKey: string;
  orderId: string;
  amount: number;
  /** Belongs to the operation (this payment's confirm), reused by every retry of it. */
  idempotencyKey: string;
}

export type TossClient = ReturnType<typeof createTossClient>;

export function createTossClient(config: TossClientConfig) {
  const base = config.baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${config.secretKey}:`).toString('base64')}`;

  async function call<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, init: { body?: unknown; idempotencyKey?: string } = {}): Promise<PspCall<T>> {
    const headers: Record<string, string> = { authorization, accept: 'application/json', ...config.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey;
    let res: Response;
    let text: string;
    try {
      res = await (config.fetch ?? fetch)(`${base}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      return { kind: 'no-answer', reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: 'no-answer', reason: `HTTP ${res.status} with a body that is not JSON` };
    }
    if (res.ok) {
      const parsed = schema.safeParse(body);
      return parsed.success ? { kind: 'ok', value: parsed.data } : { kind: 'no-answer', reason: `HTTP ${res.status} with an unexpected body: ${parsed.error.message}` };
    }
    const err = tossErrorSchema.safeParse(body);
    return err.success
      ? { kind: 'error', httpStatus: res.status, code: err.data.code, message: err.data.message }
      : { kind: 'no-answer', reason: `HTTP ${res.status} without Toss's error shape` };
  }

  return {
    confirm(req: ConfirmRequest) {
      const { idempotencyKey, ...body } = req;
      return call('POST', '/v1/payments/confirm', tossPaymentSchema, { body, idempotencyKey });
    },
    getPayment(paymentKey: string) {
      return call('GET', `/v1/payments/${encodeURIComponent(paymentKey)}`, tossPaymentSchema);
    },
    cancel(paymentKey: string, req: {
      cancelAmount?: number;
      cancelReason: string;
      idempotencyKey: string;
      /** Required by Toss to refund a virtual account after its deposit. */
      refundReceiveAccount?: { bank: string; accountNumber: string; holderName: string };
    }) {
      const { idempotencyKey, ...body } = req;
      return call('POST', `/v1/payments/${encodeURIComponent(paymentKey)}/cancel`, tossPaymentSchema, { body, idempotencyKey });
    },
    /** One page of settlement rows for KST sales dates [startDate, endDate] (yyyy-MM-dd). */
    settlements(q: { startDate: string; endDate: string; page: number; size: number }) {
      const qs = new URLSearchParams({ startDate: q.startDate, endDate: q.endDate, page: String(q.page), size: String(q.size) });
      return call('GET', `/v1/settlements?${qs}`, z.array(tossSettlementSchema));
    },
    getPaymentByOrderId(orderId: string) {
      return call('GET', `/v1/payments/orders/${encodeURIComponent(orderId)}`, tossPaymentSchema);
    },
  };
}
