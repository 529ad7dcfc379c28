import { hashPassword } from 'better-auth/crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { account, auditLog, deadLetters, merchants, outbox, user } from '@/db/schema';
import { isOperatorEmail, operatorFromHeaders } from '@/lib/auth/operator-context';
import { listDeadLetters } from '@/lib/dashboard/event-delivery';
import { listOrphanDeadLetters } from '@/lib/dead-letters/list-orphan-dead-letters';
import { replayDeadLetter, replayOrphanDeadLetter } from '@/lib/dead-letters/replay-dead-letter';
import type { PaymentEvent } from '@/lib/events/contract';
import { newId } from '@/lib/ids';
import { closeTestDatabase, testDatabase } from '../helpers/db';

/**
 * Dead letters that belong to no merchant (the payload was not a valid event when a consumer
 * got it) are the platform's: no merchant sees or replays them; an operator (a login listed in
 * OPERATOR_EMAILS) does, and the audit log says who replayed what.
 */
const operatorEmail = `ops-${newId('usr').slice(-8)}@platform.test`;
const merchantEmail = `owner-${newId('usr').slice(-8)}@shop.test`;
const password = 'correct horse battery';
let merchantId: string;
let signIn: (email: string) => Promise<Headers>;

async function addLogin(email: string, merchant: string | null) {
  const { db } = testDatabase();
  const userId = newId('usr');
  await db.insert(user).values({ id: userId, name: email, email, emailVerified: true, merchantId: merchant });
  await db.insert(account).values({ id: newId('acc'), accountId: userId, providerId: 'credential', userId, password: await hashPassword(password) });
}

async function orphanLetter(raw: string) {
  const { db } = testDatabase();
  const [row] = await db.insert(deadLetters).values({
    consumer: 'balance-projection', eventId: null, merchantId: null, sourceTopic: 'payments.events',
    payload: null, rawValue: raw, error: 'invalid event payload', attempts: 1,
  }).returning();
  return row!.id;
}

beforeAll(async () => {
  process.env.DATABASE_URL = inject('databaseUrl');
  process.env.APP_URL = 'http://localhost:3000';
  process.env.OPERATOR_EMAILS = ` someone@else.test, ${operatorEmail.toUpperCase()} `;
  const { db } = testDatabase();
  merchantId = newId('mer');
  await db.insert(merchants).values({ id: merchantId, name: 'Dead letter shop' });
  await addLogin(operatorEmail, null);
  await addLogin(merchantEmail, merchantId);
  const route = await import('@/app/api/auth/[...all]/route');
  signIn = async (email) => {
    const res = await route.POST(new Request('http://localhost:3000/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', 'x-forwarded-for': `10.1.0.${email.length}` },
      body: JSON.stringify({ email, password }),
    }));
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return new Headers({ cookie });
  };
});

afterAll(closeTestDatabase);

describe('operator: dead letters of no merchant', () => {
  it('OPERATOR_EMAILS decides who is an operator: a merchant login is not, nor is no login', async () => {
    expect(isOperatorEmail(' Ops@Example.COM', ['ops@example.com'])).toBe(true);
    expect(isOperatorEmail('owner@example.com', ['ops@example.com'])).toBe(false);
    expect(await operatorFromHeaders(await signIn(operatorEmail))).toEqual({ actor: `operator:${operatorEmail}` });
    expect(await operatorFromHeaders(await signIn(merchantEmail))).toBeNull();
    expect(await operatorFromHeaders(new Headers())).toBeNull();
  });

  it('a merchant neither sees nor replays them; an operator sees them, replays a valid one once, and the audit says who', async () => {
    const { db } = testDatabase();
    const garbage = await orphanLetter('{not json at all');
    // Valid under today's contract (say a consumer bug rejected it when it came): replayable.
    const event: PaymentEvent = {
      eventId: newId('evt'), type: 'PaymentFailed', version: 1, occurredAt: new Date().toISOString(),
      merchantId, paymentId: newId('pay'), orderId: newId('ord'), amount: 1_000, currency: 'KRW', failureCode: 'X', failureMessage: 'x',
    };
    const fixable = await orphanLetter(JSON.stringify(event));

    // The merchant whose event it is still cannot see or replay it: it is not marked as theirs.
    const merchantView = await listDeadLetters(db, merchantId, 1, 1_000);
    expect(merchantView.rows.map((r) => r.id)).not.toContain(fixable);
    await expect(replayDeadLetter(db, merchantId, fixable, 'user:owner')).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await db.select().from(outbox).where(eq(outbox.eventId, event.eventId))).toHaveLength(0);

    const operatorView = await listOrphanDeadLetters(db, 1, 1_000);
    expect(operatorView.rows.map((r) => r.id)).toEqual(expect.arrayContaining([garbage, fixable]));

    const actor = `operator:${operatorEmail}`;
    await expect(replayOrphanDeadLetter(db, garbage, actor)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(await replayOrphanDeadLetter(db, fixable, actor)).toEqual({ replayed: true });
    expect(await replayOrphanDeadLetter(db, fixable, actor)).toEqual({ replayed: false, reason: 'already-replayed' });
    expect(await db.select().from(outbox).where(eq(outbox.eventId, event.eventId))).toHaveLength(1);

    const audit = await db.select().from(auditLog).where(and(isNull(auditLog.merchantId), eq(auditLog.actor, actor)));
    expect(audit).toHaveLength(1); // the refused and the repeated replay left none
    expect(audit[0]).toMatchObject({ action: 'dead-letter.replayed', target: String(fixable), detail: { eventId: event.eventId, orphan: true, eventMerchantId: merchantId } });

    // An operator cannot reach a merchant's own dead letters through the orphan path either.
    const [owned] = await db.insert(deadLetters).values({ consumer: 'webhook-notifier', eventId: newId('evt'), merchantId, sourceTopic: 't', payload: event, error: 'e', attempts: 1 }).returning();
    await expect(replayOrphanDeadLetter(db, owned!.id, actor)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a valid event naming a merchant that does not exist is refused, with no audit entry', async () => {
    const { db } = testDatabase();
    const id = await orphanLetter(JSON.stringify({
      eventId: newId('evt'), type: 'PaymentFailed', version: 1, occurredAt: new Date().toISOString(),
      merchantId: 'mer_nobody', paymentId: newId('pay'), orderId: newId('ord'), amount: 1, currency: 'KRW', failureCode: 'X', failureMessage: 'x',
    }));
    await expect(replayOrphanDeadLetter(db, id, 'operator:x@y.z')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await db.select().from(auditLog).where(eq(auditLog.target, String(id)))).toHaveLength(0);
  });
});
