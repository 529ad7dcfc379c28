import 'server-only';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { AppError } from '@/lib/errors';
import { env } from '@/lib/env';
import { auth } from './server-auth';

/** A platform operator: a signed-in login listed in OPERATOR_EMAILS (never an API key). */
export interface OperatorContext {
  /** For the audit log: `operator:<email>`. */
  actor: string;
}

export function isOperatorEmail(email: string, operatorEmails: readonly string[]): boolean {
  return operatorEmails.includes(email.trim().toLowerCase());
}

export async function operatorFromHeaders(h: Headers): Promise<OperatorContext | null> {
  const s = await auth().api.getSession({ headers: h });
  if (!s || !isOperatorEmail(s.user.email, env().OPERATOR_EMAILS)) return null;
  return { actor: `operator:${s.user.email.toLowerCase()}` };
}

/** For operator pages: the signed-in operator; signed out → login; any other login → 404 (as if there were no such page). */
export async function requireOperatorPage(): Promise<OperatorContext> {
  const h = await headers();
  const ctx = await operatorFromHeaders(h);
  if (ctx) return ctx;
  if (!(await auth().api.getSession({ headers: h }))) redirect('/login');
  notFound();
}

/** For operator server actions: the signed-in operator, or an error. */
export async function requireOperatorAction(): Promise<OperatorContext> {
  const ctx = await operatorFromHeaders(await headers());
  if (!ctx) throw new AppError('FORBIDDEN', 'Only an operator may do this.');
  return ctx;
}
