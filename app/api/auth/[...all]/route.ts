import { toNextJsHandler } from 'better-auth/next-js';
import { auth } from '@/lib/auth/server-auth';
import { BODY_LIMITS, errorResponse, readBodyText } from '@/lib/http/respond';

export const dynamic = 'force-dynamic';

// Better Auth's own endpoints (sign-in, sign-out, session). Built per request so that the
// database connection is made at run time, never at build time.
export const GET = (req: Request) => toNextJsHandler(auth()).GET(req);

/** The body is read here under a cap first: Better Auth would buffer any size. */
export async function POST(req: Request): Promise<Response> {
  let body: string;
  try {
    body = await readBodyText(req, BODY_LIMITS.auth);
  } catch (err) {
    return errorResponse(err);
  }
  return toNextJsHandler(auth()).POST(new Request(req.url, { method: 'POST', headers: req.headers, body }));
}
