import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';

/**
 * Sign-in limits, counted in PostgreSQL so every web instance shares them. Three limits, each
 * over its current window plus the previous one (so at most two windows long):
 *  - account + address: `perMinute` a minute. The guesser is stopped, and the real owner,
 *    signing in from another address, is not affected by it;
 *  - address: 4 × perMinute a minute, whatever the account (one client trying many accounts);
 *  - account: 20 × perMinute per 15 minutes from all addresses together (guessing spread over
 *    many addresses). This one can block the owner too, so its window is short: at most 30
 *    minutes after the guessing stops, never a lasting lock-out.
 * Every attempt counts (success or not): the check runs before the password is.
 */
export interface LoginAttempt {
  email: string;
  address: string;
  perMinute: number;
}

export type LimitVerdict = { allowed: true } | { allowed: false; limit: 'account+address' | 'address' | 'account'; retryAfterSeconds: number };

const rules = (a: LoginAttempt) => [
  { limit: 'account+address' as const, key: `login:acct-addr:${a.email}|${a.address}`, windowSeconds: 60, max: a.perMinute },
  { limit: 'address' as const, key: `login:addr:${a.address}`, windowSeconds: 60, max: 4 * a.perMinute },
  { limit: 'account' as const, key: `login:acct:${a.email}`, windowSeconds: 15 * 60, max: 20 * a.perMinute },
];

export async function checkLoginRateLimit(db: DbOrTx, attempt: LoginAttempt, now = new Date()): Promise<LimitVerdict> {
  const email = attempt.email.trim().toLowerCase();
  let verdict: LimitVerdict = { allowed: true };
  for (const rule of rules({ ...attempt, email })) {
    const seconds = rule.windowSeconds;
    const windowStart = new Date(Math.floor(now.getTime() / (seconds * 1000)) * seconds * 1000);
    const previousStart = new Date(windowStart.getTime() - seconds * 1000);
    const windowEnd = new Date(windowStart.getTime() + seconds * 1000);
    // The current window's hits plus the previous one's, so a burst cannot reset itself at a
    // window boundary. One statement: the increment and its result are atomic across instances.
    const [row] = (await db.execute(sql`with up as (
        insert into rate_limit_hits (key, window_start, hits, expires_at)
        values (${rule.key}, ${windowStart.toISOString()}::timestamptz, 1, ${new Date(windowEnd.getTime() + seconds * 1000).toISOString()}::timestamptz)
        on conflict (key, window_start) do update set hits = rate_limit_hits.hits + 1
        returning hits)
      select (select hits from up) + coalesce((select hits from rate_limit_hits where key = ${rule.key} and window_start = ${previousStart.toISOString()}::timestamptz), 0) as hits`)) as unknown as { hits: number }[];
    if (verdict.allowed && row!.hits > rule.max) {
      verdict = { allowed: false, limit: rule.limit, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd.getTime() - now.getTime()) / 1000)) };
    }
  }
  // Old windows go as new ones come; a handful of rows per attempt at most.
  await db.execute(sql`delete from rate_limit_hits where ctid in (select ctid from rate_limit_hits where expires_at < ${now.toISOString()}::timestamptz limit 100)`);
  return verdict;
}
