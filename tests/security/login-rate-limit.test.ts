import { describe, expect, it } from 'vitest';
import { connect } from '@/db/client';
import { inject } from 'vitest';
import { checkLoginRateLimit } from '@/lib/auth/login-rate-limit';
import { newId } from '@/lib/ids';
import { clientAddress, parseTrustedProxies } from '@/lib/security/client-address';
import { testDatabase } from '../helpers/db';

describe('client address (issue 11 item 2)', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it('is the TCP peer; X-Forwarded-For from an untrusted peer is ignored', () => {
    expect(clientAddress(h({ 'x-won-peer-address': '203.0.113.9', 'x-forwarded-for': '1.2.3.4' }), [])).toBe('203.0.113.9');
    expect(clientAddress(h({ 'x-won-peer-address': '::ffff:203.0.113.9' }), [])).toBe('203.0.113.9');
    expect(clientAddress(h({ 'x-forwarded-for': '1.2.3.4' }), [])).toBe('unknown');
  });
  it('walks X-Forwarded-For from the right through trusted proxies only', () => {
    const trusted = parseTrustedProxies('10.0.0.0/8, 127.0.0.1');
    // client spoofs 6.6.6.6; the proxy appended the real client 198.51.100.7
    expect(clientAddress(h({ 'x-won-peer-address': '127.0.0.1', 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.1.1.1' }), trusted)).toBe('198.51.100.7');
    expect(clientAddress(h({ 'x-won-peer-address': '127.0.0.1', 'x-forwarded-for': 'garbage, 198.51.100.7' }), trusted)).toBe('198.51.100.7');
    expect(clientAddress(h({ 'x-won-peer-address': '127.0.0.1' }), trusted)).toBe('127.0.0.1');
  });
  it('refuses a malformed TRUSTED_PROXIES', () => {
    expect(() => parseTrustedProxies('10.0.0.0/99')).toThrow();
  });
});

describe('sign-in counters live in PostgreSQL, shared by every web instance', () => {
  it('two connections (two instances) count into the same windows', async () => {
    const a = testDatabase().db;
    const other = connect(inject('databaseUrl'), { max: 1, appName: 'second-web-instance' });
    try {
      const email = `${newId('usr')}@shop.test`;
      const now = new Date('2026-12-06T04:00:10Z');
      const verdicts = [];
      for (let i = 0; i < 6; i++) verdicts.push(await checkLoginRateLimit(i % 2 ? other.db : a, { email, address: '198.51.100.1', perMinute: 5 }, now));
      expect(verdicts.slice(0, 5).every((v) => v.allowed)).toBe(true);
      expect(verdicts[5]).toMatchObject({ allowed: false, limit: 'account+address' });
      // Still counted just after the minute turns (no reset by waiting for the boundary)...
      expect(await checkLoginRateLimit(other.db, { email, address: '198.51.100.1', perMinute: 5 }, new Date('2026-12-06T04:01:01Z'))).toMatchObject({ allowed: false });
      // ...and free two minutes on: no lasting lock-out.
      expect(await checkLoginRateLimit(other.db, { email, address: '198.51.100.1', perMinute: 5 }, new Date('2026-12-06T04:02:01Z'))).toEqual({ allowed: true });
    } finally {
      await other.close();
    }
  });

  it('a distributed guesser is stopped per account, for at most two 15-minute windows', async () => {
    const db = testDatabase().db;
    const email = `${newId('usr')}@shop.test`;
    const now = new Date('2026-12-06T04:00:00Z');
    let last;
    for (let i = 0; i < 101; i++) last = await checkLoginRateLimit(db, { email, address: `198.51.${Math.floor(i / 4)}.${i % 4}`, perMinute: 5 }, now);
    expect(last).toMatchObject({ allowed: false, limit: 'account' });
    expect((last as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    expect(await checkLoginRateLimit(db, { email, address: '198.51.200.1', perMinute: 5 }, new Date('2026-12-06T04:30:00Z'))).toEqual({ allowed: true });
  });
});
