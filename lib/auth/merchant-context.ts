import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { db } from '@/db';
import type { Tx } from '@/db/client';
import { withMerchantScope } from '@/db/merchant-scope';
import { AppError } from '@/lib/errors';
import { errorResponse } from '@/lib/http/respond';
import { merchantForApiKey } from './api-keys';
import { auth } from './server-auth';

/** Who is acting, for which merchant. Every merchant-data query takes `merchantId` from here. */
export interface MerchantContext {
  merchantId: string;
  /** For the audit log: `user:<email>` or `api-key:<id>`. */
  actor: string;
  /**
   * Runs `fn` in one transaction that can see and change only this merchant's rows: as the
   * `won_app` role under row-level security, with this merchant set (db/merchant-scope.ts).
   * Every merchant-data query of a page, action or route runs in it, so a query that forgets
   * its `merchantId` filter finds nothing of another merchant's instead of everything.
   */
  withScope<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

function contextOf(merchantId: string, actor: string): MerchantContext {
  return { merchantId, actor, withScope: (fn) => withMerchantScope(db(), merchantId, fn) };
}

/**
 * A session cookie (dashboard) or `Authorization: Bearer won_sk_…` (merchant API). The lookups
 * run as the owner: until they answer, there is no merchant to scope to.
 */
export async function merchantFromHeaders(h: Headers): Promise<MerchantContext | null> {
  const bearer = h.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) {
    const key = await merchantForApiKey(db(), bearer);
    return key ? contextOf(key.merchantId, `api-key:${key.keyId}`) : null;
  }
  const s = await auth().api.getSession({ headers: h });
  const merchantId = (s?.user as { merchantId?: string | null } | undefined)?.merchantId;
  return s && merchantId ? contextOf(merchantId, `user:${s.user.email}`) : null;
}

/** For dashboard pages: the signed-in merchant, or off to the login page. */
export async function requireMerchantPage(): Promise<MerchantContext> {
  const ctx = await merchantFromHeaders(await headers());
  if (!ctx) redirect('/login');
  return ctx;
}

/** For server actions: the signed-in merchant, or an error (never act anonymously). */
export async function requireMerchantAction(): Promise<MerchantContext> {
  const ctx = await merchantFromHeaders(await headers());
  if (!ctx) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
  return ctx;
}

type MerchantHandler<P> = (req: Request, ctx: { params: P; merchant: MerchantContext }) => Promise<Response>;

/**
 * The one wrapper for merchant API routes: resolves the merchant before the handler runs, answers
 * 401 otherwise, and maps errors to the one error shape. Handlers never read the session themselves.
 */
export function withMerchant<P = Record<string, never>>(handler: MerchantHandler<P>) {
  const wrapped = async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const merchant = await merchantFromHeaders(req.headers);
      if (!merchant) throw new AppError('UNAUTHENTICATED', 'Sign in, or send a merchant API key as "Authorization: Bearer won_sk_…".');
      return await handler(req, { params: await ctx.params, merchant });
    } catch (err) {
      return errorResponse(err);
    }
  };
  // Marks the route as protected, so the route-enumeration test can tell.
  return Object.assign(wrapped, { requiresMerchant: true as const });
}
