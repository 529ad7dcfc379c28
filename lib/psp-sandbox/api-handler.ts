import 'server-only';
import type { DbOrTx } from '@/db/client';
import { log } from '@/lib/log';
import { authenticate } from './authenticate';
import { cancelPayment } from './cancel-payment';
import { type Clock, systemClock } from './clock';
import { confirmPayment } from './confirm-payment';
import { PspError } from './errors';
import { getPayment, getPaymentByOrderId } from './get-payment';
import {
  claimIdempotencyKey, type IdempotencyScope, recordIdempotentResponse, releaseIdempotencyKey,
} from './idempotency';
import type { PspMerchant } from './merchants';
import { toPaymentObject } from './payment-object';
import { cancelBodySchema, confirmBodySchema, parseJsonBody } from './requests';
import { TEST_CODE_HEADER, forcedTestError } from './test-code';

export interface PspApiHandlerOptions {
  db: DbOrTx;
  now?: Clock;
  /** Where the API is mounted; Toss's own paths (`/v1/…`) follow it. */
  basePath?: string;
}

/** Toss: the Idempotency-Key is at most 300 characters (reference §5.3). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 300;

type Route =
  | { method: 'POST'; name: 'confirm' }
  | { method: 'POST'; name: 'cancel'; paymentKey: string }
  | { method: 'GET'; name: 'payment'; paymentKey: string }
  | { method: 'GET'; name: 'payment-by-order'; orderId: string };

/** A response as sent: the body is serialised once, so an idempotent replay is byte-identical. */
interface ApiResponse {
  status: number;
  body: string;
}

/**
 * The sandbox's Toss-compatible core API as a Web-standard fetch handler, mountable in a Next
 * route handler or a plain node:http server. Routes (under `basePath`, default `/psp`):
 *   POST /v1/payments/confirm, POST /v1/payments/{paymentKey}/cancel,
 *   GET /v1/payments/{paymentKey}, GET /v1/payments/orders/{orderId}.
 * Order of checks, as Toss: route → Basic auth → TossPayments-Test-Code → Idempotency-Key → body.
 */
export function createPspApiHandler(options: PspApiHandlerOptions): (req: Request) => Promise<Response> {
  const { db } = options;
  const now = options.now ?? systemClock;
  const basePath = (options.basePath ?? '/psp').replace(/\/+$/, '');

  async function execute(db: DbOrTx, route: Route, merchant: PspMerchant, body: string): Promise<ApiResponse> {
    try {
      switch (route.name) {
        case 'confirm': {
          const input = parseJsonBody(body, confirmBodySchema, '{"paymentKey":"…","orderId":"…","amount":50000}');
          return ok(toPaymentObject(await confirmPayment(db, { mId: merchant.mId, ...input }, now)));
        }
        case 'cancel': {
          const input = parseJsonBody(body, cancelBodySchema, '{"cancelReason":"고객 변심","cancelAmount":1000}');
          return ok(toPaymentObject(await cancelPayment(db, { mId: merchant.mId, paymentKey: route.paymentKey, ...input }, now)));
        }
        case 'payment':
          return ok(toPaymentObject(await getPayment(db, { mId: merchant.mId, paymentKey: route.paymentKey }, now)));
        case 'payment-by-order':
          return ok(toPaymentObject(await getPaymentByOrderId(db, { mId: merchant.mId, orderId: route.orderId }, now)));
      }
    } catch (err) {
      // Refusals are answers, and as answers they are stored for idempotent replay.
      if (err instanceof PspError) return refusal(err);
      throw err;
    }
  }

  /** Runs a POST once per Idempotency-Key scope; replays the first response to repeats. */
  async function executeOnce(scope: IdempotencyScope, route: Route, merchant: PspMerchant, body: string): Promise<ApiResponse> {
    const claim = await claimIdempotencyKey(db, scope, now());
    if (claim.kind === 'in-flight') return refusal(new PspError('IDEMPOTENT_REQUEST_PROCESSING'));
    if (claim.kind === 'replay') return { status: claim.status, body: claim.body };
    try {
      // The request's effects and its stored response commit together, or neither does.
      return await db.transaction(async (tx) => {
        const response = await execute(tx, route, merchant, body);
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

  async function handle(req: Request): Promise<ApiResponse> {
    const url = new URL(req.url);
    const route = matchRoute(req.method, url.pathname, basePath);
    if (!route) {
      return refusal(new PspError('NOT_FOUND', `The PSP sandbox has no API ${req.method} ${url.pathname}. It serves POST ${basePath}/v1/payments/confirm, POST ${basePath}/v1/payments/{paymentKey}/cancel, GET ${basePath}/v1/payments/{paymentKey} and GET ${basePath}/v1/payments/orders/{orderId}.`));
    }
    const merchant = await authenticate(db, req.headers.get('authorization'));
    const forced = forcedTestError(merchant, req.headers.get(TEST_CODE_HEADER));
    if (forced) return refusal(forced);

    if (route.method === 'GET') return execute(db, route, merchant, '');
    const body = await req.text();
    // Toss ignores the header on GET; on POST it makes the request run at most once.
    const idempotencyKey = req.headers.get('idempotency-key');
    if (idempotencyKey === null) return execute(db, route, merchant, body);
    if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new PspError('INVALID_IDEMPOTENCY_KEY', idempotencyKey.length === 0 ? 'Idempotency-Key must not be empty (1–300 characters).' : undefined);
    }
    return executeOnce({ idempotencyKey, mId: merchant.mId, method: req.method, path: url.pathname }, route, merchant, body);
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
    return new Response(response.body, {
      status: response.status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    });
  };
}

class ClaimLost extends Error {}

function ok(body: unknown): ApiResponse {
  return { status: 200, body: JSON.stringify(body) };
}

function refusal(err: PspError): ApiResponse {
  return { status: err.status, body: JSON.stringify(err.toBody()) };
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
  if (version !== 'v1' || resource !== 'payments' || !a || rest.length > 0) return null;
  if (method === 'POST' && a === 'confirm' && b === undefined) return { method, name: 'confirm' };
  if (method === 'POST' && b === 'cancel') return { method, name: 'cancel', paymentKey: a };
  if (method === 'GET' && a === 'orders' && b) return { method, name: 'payment-by-order', orderId: b };
  if (method === 'GET' && b === undefined) return { method, name: 'payment', paymentKey: a };
  return null;
}
