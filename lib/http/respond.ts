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

/** Reads and validates a JSON body; a body that is not JSON is a 400, never a 500. */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new AppError('INVALID_JSON', 'The request body must be valid JSON.');
  }
  return schema.parse(raw);
}

export function parseQuery<S extends z.ZodType>(url: string | URL, schema: S): z.infer<S> {
  return schema.parse(Object.fromEntries(new URL(url).searchParams));
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
