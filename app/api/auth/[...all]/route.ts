import { toNextJsHandler } from 'better-auth/next-js';
import { auth } from '@/lib/auth/server-auth';

export const dynamic = 'force-dynamic';

// Better Auth's own endpoints (sign-in, sign-out, session). Built per request so that the
// database connection is made at run time, never at build time.
export const GET = (req: Request) => toNextJsHandler(auth()).GET(req);
export const POST = (req: Request) => toNextJsHandler(auth()).POST(req);
