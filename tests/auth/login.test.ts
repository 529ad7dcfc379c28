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
    headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', 'x-forwarded-for': ip },
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

  it('rate-limits failed sign-ins per client (5 a minute by default)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await signIn({ email, password: `guess-${i}-wrong` }, '10.0.0.99')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Another client is not locked out by the first one's failures.
    expect((await signIn({ email, password }, '10.0.0.2')).status).toBe(200);
  });
});
