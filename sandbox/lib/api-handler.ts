import type { DbOrTx } from '../db/client';
import { log } from '@/lib/log';
import { authenticate } from './authenticate';
import { OPERATOR_TOKEN_HEADER, requireOperator } from './operator';
import { cancelPayment } from './cancel-payment';
import { type Clock, systemClock } from './clock';
import { confirmPayment } from './confirm-payment';
import { PspError } from './errors';
import {
  clearFaults, faultSchema, injectFault, listPendingFaults, takeFault, toFaultObject,
} from './faults';
import { getPayment, getPaymentByOrderId } from './get-payment';
import {
  claimIdempotencyKey, type IdempotencyScope, recordIdempotentResponse, releaseIdempotencyKey,
} from './idempotency';
import { DEFAULT_PAYOUT_DELAY_DAYS, listSettlements, parseSettlementsQuery } from './list-settlements';
import { isTestMerchant, setWebhookUrl, type PspMerchant } from './merchants';
import { toPaymentObject } from './payment-object';
import { cancelBodySchema, confirmBodySchema, depositBodySchema, parseJsonBody, webhookBodySchema } from './requests';
import { depositToVirtualAccount, passDueDate, reverseDeposit } from './virtual-account-bank';
import { TEST_CODE_HEADER, forcedTestError } from './test-code';

export interface PspApiHandlerOptions {
  db: DbOrTx;
  now?: Clock;
  /** Where the API is mounted; Toss's own paths (`/v1/…`) follow it. Default: the root, as at Toss. */
  basePath?: string;
  /**
   * The operator credential the control routes (/v1/sandbox/…) demand in the
   * `Sandbox-Operator-Token` header, beside the merchant's Basic auth (SANDBOX_OPERATOR_TOKEN).
   */
  operatorToken: string;
  /** Settlement paidOutDate = soldDate + this many days (env PSP_SANDBOX_PAYOUT_DELAY_DAYS; default 2). */
  payoutDelayDays?: number;
  /** When an Idempotency-Key claim without a response counts as abandoned (env SANDBOX_ABANDONED_CLAIM_MS; default ABANDONED_CLAIM_MS). */
  abandonedClaimMs?: number;
}

/** Toss: the Idempotency-Key is at most 300 characters (reference §5.3). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 300;

/** Toss's API. `operation` names what fault injection can target. */
type TossRoute =
  | { method: 'POST'; name: 'confirm'; operation: 'confirm' }
  | { method: 'POST'; name: 'cancel'; operation: 'cancel'; paymentKey: string }
  | { method: 'GET'; name: 'payment'; operation: 'lookup'; paymentKey: string }
  | { method: 'GET'; name: 'payment-by-order'; operation: 'lookup'; orderId: string }
  | { method: 'GET'; name: 'settlements'; operation: null };

/** The sandbox's own control API under /v1/sandbox/ (not Toss's); operator only. */
type ControlRoute =
  | { method: 'POST'; name: 'inject-fault' }
  | { method: 'DELETE'; name: 'clear-faults' }
  | { method: 'GET'; name: 'list-faults' }
  | { method: 'PUT'; name: 'set-webhook' }
  | { method: 'POST'; name: 'virtual-account'; action: 'deposit' | 'reverse-deposit' | 'pass-due-date'; paymentKey: string };

type Route = ({ api: 'toss' } & TossRoute) | ({ api: 'control' } & ControlRoute);

/** A response as sent: the body is serialised once, so an idempotent replay is byte-identical. */
interface ApiResponse {
  status: number;
  body: string;
  /** Fault injection: the response is to be lost on the way (see lostResponse). */
  lose?: boolean;
}

const ROUTES_HELP = [
  'POST {base}/v1/payments/confirm',
  'POST {base}/v1/payments/{paymentKey}/cancel',
  'GET {base}/v1/payments/{paymentKey}',
  'GET {base}/v1/payments/orders/{orderId}',
  'GET {base}/v1/settlements',
  'POST|GET|DELETE {base}/v1/sandbox/faults',
  'PUT {base}/v1/sandbox/webhook',
  'POST {base}/v1/sandbox/payments/{paymentKey}/deposit|reverse-deposit|pass-due-date',
];

/**
 * The sandbox's Toss-compatible core API as a Web-standard fetch handler, mountable in a Next
 * route handler or a plain node:http server. Routes are listed in ROUTES_HELP (under `basePath`,
 * default `/psp`). Order of checks for Toss's routes, as Toss: route → Basic auth →
 * TossPayments-Test-Code → (sandbox fault) → Idempotency-Key → body. The control routes
 * (/v1/sandbox/…) take the operator credential first (a merchant's key alone is not enough: the
 * keys of a sandbox are often shared), then Basic auth to name the merchant they act on.
 */
export function createPspApiHandler(options: PspApiHandlerOptions): (req: Request) => Promise<Response> {
  const { db } = options;
  const now = options.now ?? systemClock;
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const payoutDelayDays = options.payoutDelayDays ?? DEFAULT_PAYOUT_DELAY_DAYS;

  async function execute(db: DbOrTx, route: TossRoute, merchant: PspMerchant, body: string, query: URLSearchParams): Promise<ApiResponse> {
    try {
      switch (route.name) {
        case 'confirm': {
          const input = parseJsonBody(body, confirmBodySchema, '{"paymentKey":"…","orderId":"…","amount":50000}');
          return ok(toPaymentObject(await confirmPayment(db, { mId: merchant.mId, ...input }, now), now()));
        }
        case 'cancel': {
          const input = parseJsonBody(body, cancelBodySchema, '{"cancelReason":"고객 변심","cancelAmount":1000}');
          return ok(toPaymentObject(await cancelPayment(db, { mId: merchant.mId, paymentKey: route.paymentKey, ...input }, now), now()));
        }
        case 'payment':
          return ok(toPaymentObject(await getPayment(db, { mId: merchant.mId, paymentKey: route.paymentKey }, now), now()));
        case 'payment-by-order':
          return ok(toPaymentObject(await getPaymentByOrderId(db, { mId: merchant.mId, orderId: route.orderId }, now), now()));
        case 'settlements':
          return ok(await listSettlements(db, { mId: merchant.mId, ...parseSettlementsQuery(query) }, { payoutDelayDays }));
      }
    } catch (err) {
      // Refusals are answers, and as answers they are stored for idempotent replay.
      if (err instanceof PspError) return refusal(err);
      throw err;
    }
  }

  /** Runs a POST once per Idempotency-Key scope; replays the first response to repeats. */
  async function executeOnce(scope: IdempotencyScope, route: TossRoute, merchant: PspMerchant, body: string): Promise<ApiResponse> {
    const claim = await claimIdempotencyKey(db, scope, now(), options.abandonedClaimMs);
    if (claim.kind === 'in-flight') return refusal(new PspError('IDEMPOTENT_REQUEST_PROCESSING'));
    if (claim.kind === 'replay') return { status: claim.status, body: claim.body };
    try {
      // The request's effects and its stored response commit together, or neither does.
      return await db.transaction(async (tx) => {
        const response = await execute(tx, route, merchant, body, new URLSearchParams());
        if (!(await recordIdempotentResponse(tx, scope, claim.token, response))) throw new ClaimLost();
        return response;
      });
    } catch (err) {
      // Another request took over a claim we held too long: it executes, we changed nothing.
      if (err instanceof ClaimLost) return refusal(new PspError('IDEMPOTENT_REQUEST_PROCESSING'));
      // Nothing was committed: give the key back so a retry executes instead of waiting for ever.
      await releaseIdempotencyKey(db, scope, claim.token).catch((e: unknown) => log.error({ err: e }, 'psp sandbox: could not release idempotency key'));
      throw err;
    }
  }

  async function handleToss(req: Request, url: URL, route: TossRoute, merchant: PspMerchant): Promise<ApiResponse> {
    const forced = forcedTestError(merchant, req.headers.get(TEST_CODE_HEADER));
    if (forced) return refusal(forced);

    const body = route.method === 'POST' ? await req.text() : '';
    // Faults can only be injected for test keys: live merchants skip the query.
    const fault = route.operation && isTestMerchant(merchant) ? await takeFault(db, merchant.mId, route.operation, paymentKeyOf(route, body)) : null;
    if (fault?.mode === 'server-error') return refusal(new PspError('FAILED_INTERNAL_SYSTEM_PROCESSING'));
    if (fault?.mode === 'slow') await sleep(fault.delayMs ?? 0);
    const response = await executeToss(req, url, route, merchant, body);
    return fault?.mode === 'lose-response' ? { ...response, lose: true } : response;
  }

  async function executeToss(req: Request, url: URL, route: TossRoute, merchant: PspMerchant, body: string): Promise<ApiResponse> {
    if (route.method === 'GET') return execute(db, route, merchant, '', url.searchParams);
    // Toss ignores the header on GET; on POST it makes the request run at most once.
    const idempotencyKey = req.headers.get('idempotency-key');
    if (idempotencyKey === null) return execute(db, route, merchant, body, url.searchParams);
    if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new PspError('INVALID_IDEMPOTENCY_KEY', idempotencyKey.length === 0 ? 'Idempotency-Key must not be empty (1–300 characters).' : undefined);
    }
    return executeOnce({ idempotencyKey, mId: merchant.mId, method: req.method, path: url.pathname }, route, merchant, body);
  }

  async function handleControl(req: Request, route: ControlRoute, merchant: PspMerchant): Promise<ApiResponse> {
    switch (route.name) {
      case 'inject-fault': {
        requireTestKey(merchant);
        const input = parseJsonBody(await req.text(), faultSchema, '{"operation":"confirm","mode":"lose-response","count":1}');
        return ok(toFaultObject(await injectFault(db, merchant.mId, input)));
      }
      case 'clear-faults':
        requireTestKey(merchant);
        return ok({ cleared: await clearFaults(db, merchant.mId) });
      case 'list-faults':
        requireTestKey(merchant);
        return ok((await listPendingFaults(db, merchant.mId)).map(toFaultObject));
      case 'set-webhook': {
        const { url } = parseJsonBody(await req.text(), webhookBodySchema, '{"url":"https://shop.example/webhooks/toss"}');
        return ok({ url: (await setWebhookUrl(db, merchant.mId, url)).webhookUrl });
      }
      case 'virtual-account': {
        const target = { mId: merchant.mId, paymentKey: route.paymentKey };
        const text = await req.text();
        if (route.action === 'deposit') {
          const input = text.trim() ? parseJsonBody(text, depositBodySchema, '{"depositorName":"홍길동"}') : {};
          return ok(toPaymentObject(await depositToVirtualAccount(db, { ...target, ...input }, now), now()));
        }
        const moved = route.action === 'reverse-deposit' ? await reverseDeposit(db, target, now) : await passDueDate(db, target, now);
        return ok(toPaymentObject(moved, now()));
      }
    }
  }

  async function handle(req: Request): Promise<ApiResponse> {
    const url = new URL(req.url);
    const route = matchRoute(req.method, url.pathname, basePath);
    if (!route) {
      const served = ROUTES_HELP.map((r) => r.replace('{base}', basePath)).join(', ');
      return refusal(new PspError('NOT_FOUND', `The PSP sandbox has no API ${req.method} ${url.pathname}. It serves ${served}.`));
    }
    if (route.api === 'control') requireOperator(options.operatorToken, req.headers.get(OPERATOR_TOKEN_HEADER));
    const merchant = await authenticate(db, req.headers.get('authorization'));
    return route.api === 'toss' ? handleToss(req, url, route, merchant) : handleControl(req, route, merchant);
  }

  return async (req) => {
    let response: ApiResponse;
    try {
      response = await handle(req);
    } catch (err) {
      if (err instanceof PspError) {
        response = refusal(err);
      } else {
        // Unknown errors are masked; the details go to the log, never to the caller.
        log.error({ err, method: req.method, url: req.url }, 'psp sandbox: unhandled error');
        response = refusal(new PspError('FAILED_INTERNAL_SYSTEM_PROCESSING'));
      }
    }
    const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
    if (response.lose) return lostResponse(response.status, headers);
    return new Response(response.body, { status: response.status, headers });
  };
}

class ClaimLost extends Error {}

/**
 * The payment a call is about, for faults armed for one payment: in the path, or in a confirm's
 * body (read leniently: a body too broken to name one is refused later, by the body's own check).
 */
function paymentKeyOf(route: TossRoute, body: string): string | null {
  if ('paymentKey' in route) return route.paymentKey;
  if (route.name !== 'confirm') return null;
  try {
    const key = (JSON.parse(body) as { paymentKey?: unknown } | null)?.paymentKey;
    return typeof key === 'string' ? key : null;
  } catch {
    return null;
  }
}

function ok(body: unknown): ApiResponse {
  return { status: 200, body: JSON.stringify(body) };
}

function refusal(err: PspError): ApiResponse {
  return { status: err.status, body: JSON.stringify(err.toBody()) };
}

function requireTestKey(merchant: PspMerchant): void {
  if (!isTestMerchant(merchant)) throw new PspError('FORBIDDEN_REQUEST', 'Fault injection is only available with test keys (test_sk_…).');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A response that never arrives: its body stream fails before the first byte, so the server
 * (sandbox/server.ts's node:http) cannot send a status line and drops the connection; the
 * client's fetch rejects as on a network failure. What it would have said is already committed.
 */
function lostResponse(status: number, headers: Record<string, string>): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(new Error('PSP sandbox fault injection: this response is lost on purpose (lose-response)'));
    },
  });
  return new Response(body, { status, headers });
}

function matchRoute(method: string, pathname: string, basePath: string): Route | null {
  if (!pathname.startsWith(`${basePath}/`)) return null;
  let parts: string[];
  try {
    parts = pathname.slice(basePath.length + 1).split('/').map(decodeURIComponent);
  } catch {
    return null; // malformed percent-encoding
  }
  const [version, resource, a, b, ...rest] = parts;
  if (version !== 'v1') return null;
  if (resource === 'sandbox' && a === 'payments') return matchSandboxPayment(method, b, rest);
  if (rest.length > 0) return null;
  if (resource === 'settlements') return method === 'GET' && a === undefined ? { api: 'toss', method, name: 'settlements', operation: null } : null;
  if (resource === 'sandbox') {
    if (b !== undefined) return null;
    if (a === 'webhook') return method === 'PUT' ? { api: 'control', method, name: 'set-webhook' } : null;
    if (a !== 'faults') return null;
    if (method === 'POST') return { api: 'control', method, name: 'inject-fault' };
    if (method === 'DELETE') return { api: 'control', method, name: 'clear-faults' };
    if (method === 'GET') return { api: 'control', method, name: 'list-faults' };
    return null;
  }
  if (resource !== 'payments' || !a) return null;
  if (method === 'POST' && a === 'confirm' && b === undefined) return { api: 'toss', method, name: 'confirm', operation: 'confirm' };
  if (method === 'POST' && b === 'cancel') return { api: 'toss', method, name: 'cancel', operation: 'cancel', paymentKey: a };
  if (method === 'GET' && a === 'orders' && b) return { api: 'toss', method, name: 'payment-by-order', operation: 'lookup', orderId: b };
  if (method === 'GET' && b === undefined) return { api: 'toss', method, name: 'payment', operation: 'lookup', paymentKey: a };
  return null;
}

/** `/v1/sandbox/payments/{paymentKey}/{deposit|reverse-deposit|pass-due-date}`: the bank's side of a virtual account. */
function matchSandboxPayment(method: string, paymentKey: string | undefined, rest: string[]): Route | null {
  const [action, ...more] = rest;
  if (method !== 'POST' || !paymentKey || more.length > 0) return null;
  if (action !== 'deposit' && action !== 'reverse-deposit' && action !== 'pass-due-date') return null;
  return { api: 'control', method, name: 'virtual-account', action, paymentKey };
}
