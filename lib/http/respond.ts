import { randomUUID } from 'node:crypto';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { log } from '@/lib/log';

export interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[]; requestId?: string };
}

/** JSON that may contain bigint money: amounts are integers, so they go out as JSON numbers. */
export function json(data: unknown, status = 200): NextResponse {
  const body = JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
  return new NextResponse(body, { status, headers: { 'content-type': 'application/json' } });
}

export function errorResponse(err: unknown): NextResponse {
  if (err instanceof AppError) {
    if (err.status >= 500) log.error({ err, detail: err.detail }, err.message);
    return json({ error: { code: err.code, message: err.message } } satisfies ErrorBody, err.status);
  }
  if (err instanceof z.ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    const message = first ? `${first.path || 'request'}: ${first.message}` : 'The request is not valid.';
    return json({ error: { code: 'VALIDATION_FAILED', message, issues } } satisfies ErrorBody, 400);
  }
  // Unknown errors are masked: the person gets a request id, the log gets the details.
  const requestId = randomUUID();
  log.error({ err, requestId }, 'unhandled error');
  return json(
    { error: { code: 'INTERNAL', message: 'Something went wrong on our side. Nothing was charged twice; please try again.', requestId } } satisfies ErrorBody,
    500,
  );
}

/**
 * Body size caps in bytes. Shop and merchant APIs take a few hundred bytes; Toss's webhooks carry
 * a whole payment object. Anything larger is refused with 413 before it is buffered.
 */
export const BODY_LIMITS = { api: 16 * 1024, webhook: 256 * 1024, auth: 8 * 1024 } as const;

const tooLarge = (limit: number) => new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`, { limit });

/**
 * The body as text, reading at most `limit` bytes: a bigger declared Content-Length is refused
 * without reading, and a stream that passes the cap is cancelled there (never buffered whole).
 */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * PostgreSQL text cannot hold U+0000: a NUL byte reaching a query is a 500 from the driver. Such
 * input is refused at the boundary instead (a 400 naming the field).
 */
export function rejectNulBytes(value: unknown, path: string[] = []): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      throw new z.ZodError([{ code: 'custom', path, message: 'must not contain NUL bytes', input: value }]);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => rejectNulBytes(v, [...path, String(i)]));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      rejectNulBytes(k, [...path, k]);
      rejectNulBytes(v, [...path, k]);
    }
  }
}

/** Reads (up to `maxBytes`) and validates a JSON body; a body that is not JSON is a 400, never a 500. */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S, maxBytes: number = BODY_LIMITS.api): Promise<z.infer<S>> {
  const text = await readBodyText(req, maxBytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError('INVALID_JSON', 'The request body must be valid JSON.');
  }
  rejectNulBytes(raw);
  return schema.parse(raw);
}

export function parseQuery<S extends z.ZodType>(url: string | URL, schema: S): z.infer<S> {
  const query = Object.fromEntries(new URL(url).searchParams);
  rejectNulBytes(query);
  return schema.parse(query);
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/** Wraps a route handler so every thrown error becomes the one error shape. */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      return await handler(req, ctx);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
