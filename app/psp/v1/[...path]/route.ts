import { db } from '@/db';
import { createPspApiHandler } from '@/lib/psp-sandbox/api-handler';
import { parseSandboxEnv } from '@/lib/psp-sandbox/env';

/** The PSP sandbox's Toss-compatible API under /psp/v1/… (see lib/psp-sandbox/api-handler.ts). */
export const dynamic = 'force-dynamic';

let handler: ((req: Request) => Promise<Response>) | undefined;
const api = () => (handler ??= createPspApiHandler({
  db: db(),
  payoutDelayDays: parseSandboxEnv(process.env).PSP_SANDBOX_PAYOUT_DELAY_DAYS,
}));

export function GET(req: Request): Promise<Response> {
  return api()(req);
}

export function POST(req: Request): Promise<Response> {
  return api()(req);
}

export function PUT(req: Request): Promise<Response> {
  return api()(req);
}

export function DELETE(req: Request): Promise<Response> {
  return api()(req);
}
