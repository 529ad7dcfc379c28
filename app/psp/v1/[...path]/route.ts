import { db } from '@/db';
import { createPspApiHandler } from '@/lib/psp-sandbox/api-handler';

/** The PSP sandbox's Toss-compatible API under /psp/v1/… (see lib/psp-sandbox/api-handler.ts). */
export const dynamic = 'force-dynamic';

let handler: ((req: Request) => Promise<Response>) | undefined;
const api = () => (handler ??= createPspApiHandler({ db: db() }));

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
