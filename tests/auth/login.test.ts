import { hashPassword } from 'better-auth/crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { account, merchants, user } from '@/db/schema';
import { newId } from '@/lib/ids';
import { testDatabase } from '../helpers/db';

const email = `owner-${newId('usr').slice(-8)}@shop.test`;
const password = 'correct horse battery';
let signIn: (body: unknown, ip: string) => Promise<Response>;

beforeAll(async () => {
  process.env.DATABASE_URL = inject('databaseUrl');
  process.env.APP_URL = 'http://localhost:3000';
  const { db } = testDatabase();
  const merchantId = newId('mer');
  await db.insert(merchants).values({ id: merchantId, name: 'Login test shop' });
  const userId = newId('usr');
  await db.insert(user).values({ id: userId, name: 'Owner', email, emailVerified: true, merchantId });
  await db.insert(account).values({ id: newId('acc'), accountId: userId, providerId: 'credential', userId, password: await hashPassword(password) });
  const route = await import('@/app/api/auth/[...all]/route');
  signIn = (body, ip) => route.POST(new Request('http://localhost:3000/api/auth/sign-in/email', {
    method: 'POST',
    // The peer address as scripts/web-cluster.cjs sets it; no proxy is trusted here.
    headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', 'x-won-peer-address': ip },
    body: JSON.stringify(body),
  }));
});

describe('merchant sign-in (Better Auth)', () => {
  it('the right password signs in with a session cookie; a wrong one is a 401', async () => {
    const ok = await signIn({ email, password }, '10.0.0.1');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/session_token=/);
    const bad = await signIn({ email, password: 'wrong password!' }, '10.0.0.1');
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { code?: string }).code).toBe('INVALID_EMAIL_OR_PASSWORD');
  });

  it('stores a scrypt hash, never the password', async () => {
    const { db } = testDatabase();
    const rows = await db.select({ password: account.password }).from(account);
    expect(rows.some((r) => r.password?.includes(password))).toBe(false);
    expect(rows.some((r) => /^[0-9a-f]+:[0-9a-f]+$/.test(r.password ?? ''))).toBe(true);
  });

  it('rate-limits sign-ins per account and client (5 a minute by default)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await signIn({ email, password: `guess-${i}-wrong` }, '10.0.0.99')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Another client is not locked out by the first one's failures.
    expect((await signIn({ email, password }, '10.0.0.2')).status).toBe(200);
  });

  it('a rotated X-Forwarded-For from an untrusted peer changes nothing (issue 11 item 2)', async () => {
    const route = await import('@/app/api/auth/[...all]/route');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await route.POST(new Request('http://localhost:3000/api/auth/sign-in/email', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', 'x-won-peer-address': '10.0.0.77', 'x-forwarded-for': `172.16.${i}.${i}` },
        body: JSON.stringify({ email, password: `rotated-${i}` }),
      }))).status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
  });

  it('an attacker\'s failures from many addresses do not lock the owner out for long', async () => {
    // 3 addresses x 5 failures each: each address is stopped on its own...
    for (const ip of ['10.9.0.1', '10.9.0.2', '10.9.0.3']) {
      for (let i = 0; i < 6; i++) await signIn({ email, password: `spray-${i}` }, ip);
      expect((await signIn({ email, password: 'spray-x' }, ip)).status).toBe(429);
    }
    // ...and the owner, from their own address, still signs in.
    expect((await signIn({ email, password }, '10.9.9.9')).status).toBe(200);
  });

  it('answers 429 in the error shape with Retry-After', async () => {
    let res: Response | undefined;
    for (let i = 0; i < 7; i++) res = await signIn({ email, password: `shape-${i}` }, '10.8.0.1');
    expect(res!.status).toBe(429);
    expect(Number(res!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res!.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
  });
});
