import { toNextJsHandler } from 'better-auth/next-js';
import { db } from '@/db';
import { checkLoginRateLimit } from '@/lib/auth/login-rate-limit';
import { auth } from '@/lib/auth/server-auth';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { BODY_LIMITS, errorResponse, readBodyText } from '@/lib/http/respond';
import { CLIENT_ADDRESS_HEADER, clientAddress, parseTrustedProxies } from '@/lib/security/client-address';

export const dynamic = 'force-dynamic';

// Better Auth's own endpoints (sign-in, sign-out, session). Built per request so that the
// database connection is made at run time, never at build time.
export const GET = (req: Request) => toNextJsHandler(auth()).GET(req);

/**
 * The body is read here under a cap first (Better Auth would buffer any size), and sign-in is
 * rate-limited here, per account and client address, in PostgreSQL.
 */
export async function POST(req: Request): Promise<Response> {
  let body: string;
  const headers = new Headers(req.headers);
  try {
    body = await readBodyText(req, BODY_LIMITS.auth);
    const e = env();
    const address = clientAddress(req.headers, parseTrustedProxies(e.TRUSTED_PROXIES));
    // Better Auth records this as the session's address; the client cannot set it.
    headers.set(CLIENT_ADDRESS_HEADER, address);
    if (new URL(req.url).pathname.endsWith('/sign-in/email')) {
      const email = emailOf(body);
      if (email) {
        const verdict = await checkLoginRateLimit(db(), { email, address, perMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE });
        if (!verdict.allowed) {
          const res = errorResponse(new AppError('RATE_LIMITED', `Too many sign-in attempts. Try again in ${verdict.retryAfterSeconds} seconds.`));
          res.headers.set('retry-after', String(verdict.retryAfterSeconds));
          return res;
        }
      }
    }
  } catch (err) {
    return errorResponse(err);
  }
  return toNextJsHandler(auth()).POST(new Request(req.url, { method: 'POST', headers, body }));
}

function emailOf(body: string): string | null {
  try {
    const email = (JSON.parse(body) as { email?: unknown }).email;
    return typeof email === 'string' && email.length <= 320 && !email.includes('\u0000') ? email : null;
  } catch {
    return null;
  }
}
