import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { log } from '@/lib/log';
import type { DbOrTx } from './db/client';
import { createPspApiHandler } from './lib/api-handler';
import { InvalidWindowRequestError, authorizePaymentWindow } from './lib/authorize-window';
import { type Clock, systemClock } from './lib/clock';
import { PspError } from './lib/errors';
import { parseWindowRequest } from './lib/window-request';
import { WINDOW_CSP, WINDOW_FONTS, errorPage, windowLocale, windowPage } from './window/page';

/**
 * The sandbox as a server of its own, as Toss is to a merchant:
 *   GET  /window             the payment window (Toss's window, opened by the shop's checkout)
 *   POST /window/authorize   the window's form: 303 to the shop's successUrl / failUrl
 *   /v1/…                    Toss's core API (Basic auth with the merchant's secret key) and the
 *                            sandbox's control routes /v1/sandbox/… (operator token as well)
 *   GET  /healthz            200 while the process runs
 * Plain node:http: a Next app would cost more CPU per request than the work behind it.
 */
export interface SandboxServerOptions {
  db: DbOrTx;
  operatorToken: string;
  now?: Clock;
  payoutDelayDays?: number;
  abandonedClaimMs?: number;
}

/** Bodies above this are refused with 413 before they are read in full (a confirm is ~150 bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

const FORM_FIELDS = [
  'clientKey', 'orderId', 'orderName', 'amount', 'currency', 'successUrl', 'failUrl', 'method', 'easyPay', 'validHours', 'customerName',
  'action', 'payWith',
] as const;

export type FetchHandler = (req: Request) => Promise<Response>;

/** The sandbox's routes as one Web-standard fetch handler. */
export function createSandboxHandler(options: SandboxServerOptions): FetchHandler {
  const now = options.now ?? systemClock;
  const api = createPspApiHandler({ db: options.db, now, operatorToken: options.operatorToken, payoutDelayDays: options.payoutDelayDays, abandonedClaimMs: options.abandonedClaimMs });
  return async (req) => {
    const { pathname } = new URL(req.url);
    if (pathname.startsWith('/v1/')) return api(req);
    if (pathname === '/window' && (req.method === 'GET' || req.method === 'HEAD')) {
      const search = new URL(req.url).searchParams;
      const parsed = await parseWindowRequest(options.db, Object.fromEntries(search));
      return html(windowPage(parsed, windowLocale(req), search), parsed.ok ? 200 : 400);
    }
    if (pathname.startsWith('/window/fonts/') && req.method === 'GET') return font(pathname.slice('/window/fonts/'.length));
    if (pathname === '/window/authorize' && req.method === 'POST') return authorize(options.db, req, now);
    if (pathname === '/healthz' && req.method === 'GET') return new Response('ok', { headers: { 'content-type': 'text/plain' } });
    return json(new PspError('NOT_FOUND', `The PSP sandbox has no ${req.method} ${pathname}. It serves GET /window, POST /window/authorize and the API under /v1/.`));
  };
}

async function authorize(db: DbOrTx, req: Request, now: Clock): Promise<Response> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    return html(errorPage(['The request must be a form submission (application/x-www-form-urlencoded or multipart/form-data).'], undefined, windowLocale(req)), 400);
  }
  const input = Object.fromEntries(FORM_FIELDS.map((name) => {
    const value = form.get(name);
    return [name, typeof value === 'string' ? value : undefined];
  }));
  try {
    const location = await authorizePaymentWindow(db, input, now);
    return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
  } catch (err) {
    if (err instanceof InvalidWindowRequestError) return html(errorPage(err.issues, undefined, windowLocale(req)), 400);
    throw err;
  }
}

/** The window's font files (a fixed list: the name never reaches the file system). */
async function font(name: string): Promise<Response> {
  const file = Object.hasOwn(WINDOW_FONTS, name) ? WINDOW_FONTS[name] : undefined;
  if (!file) return json(new PspError('NOT_FOUND', `The PSP sandbox has no font ${name}.`));
  return new Response(await readFile(file), {
    headers: { 'content-type': 'font/woff2', 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' },
  });
}

function html(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': WINDOW_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  });
}

function json(err: PspError, status = err.status): Response {
  return new Response(JSON.stringify(err.toBody()), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

export interface RunningSandboxServer {
  /** `http://127.0.0.1:<port>` (the host it listens on), without a trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the sandbox over HTTP on `host:port` (0 = a free port). */
export async function startSandboxServer(options: SandboxServerOptions & { port?: number; host?: string }): Promise<RunningSandboxServer> {
  const handler = createSandboxHandler(options);
  const server = http.createServer((incoming, outgoing) => {
    void serve(handler, incoming, outgoing);
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}

async function serve(handler: FetchHandler, incoming: http.IncomingMessage, outgoing: http.ServerResponse): Promise<void> {
  let response: Response;
  try {
    const request = await toRequest(incoming);
    response = request ? await handler(request) : json(new PspError('INVALID_REQUEST', `The request body is larger than ${MAX_BODY_BYTES} bytes.`), 413);
  } catch (err) {
    log.error({ err, method: incoming.method, url: incoming.url }, 'psp sandbox: unhandled error');
    response = json(new PspError('FAILED_INTERNAL_SYSTEM_PROCESSING'));
  }
  try {
    await writeResponse(response, outgoing);
  } catch (err) {
    // The client went away while we answered: nothing to do.
    if (!outgoing.headersSent) outgoing.writeHead(500);
    outgoing.end();
    log.debug({ err }, 'psp sandbox: could not write a response');
  }
}

/** The incoming request as a fetch Request; undefined when its body exceeds MAX_BODY_BYTES. */
async function toRequest(incoming: http.IncomingMessage): Promise<Request | undefined> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = incoming.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (hasBody) {
    if (Number(incoming.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      incoming.resume();
      return undefined;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        incoming.resume();
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
    body = new Uint8Array(Buffer.concat(chunks));
  }
  // The Host header is the client's; only the path and query are used for routing. A path that is
  // not a path (`//host/…`) is read as one.
  return new Request(new URL(`http://sandbox.local${(incoming.url ?? '/').startsWith('/') ? '' : '/'}${incoming.url ?? ''}`), { method, headers, body });
}

async function writeResponse(response: Response, outgoing: http.ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  let body: Buffer;
  try {
    body = Buffer.from(await response.arrayBuffer());
  } catch {
    // The body stream failed before anything was sent (fault injection's lose-response): drop
    // the connection without a status line, so the client sees a network error.
    outgoing.destroy();
    return;
  }
  outgoing.writeHead(response.status, headers);
  outgoing.end(body);
}
