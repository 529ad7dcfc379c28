import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { pspIdempotency, pspPayments } from '@/sandbox/db/schema';
import { claimIdempotencyKey } from '@/sandbox/lib/idempotency';
import { testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';
import {
  approveInWindow, createPspMerchant, paymentRow, testClock, useSandboxHarness,
} from './support';

const database = testDatabase();
const db = sandboxDb(database.sql);
const clock = testClock();
const h = useSandboxHarness(db, clock);

const key = () => randomUUID();
const withKey = (k: string) => ({ 'Idempotency-Key': k });
const DAY = 24 * 60 * 60 * 1000;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Idempotency-Key on confirm', () => {
  it('replays the first response byte for byte, without approving again', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const k = key();
    const first = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    const second = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect((await paymentRow(db, auth.paymentKey)).lastTransactionKey).toBe(first.json.lastTransactionKey);
  });

  it('answers a different payment sent with a used key with the first response (the body is not part of the match)', async () => {
    const a = await approveInWindow(db, h.merchant, clock);
    const b = await approveInWindow(db, h.merchant, clock);
    const k = key();
    const first = await h.sandbox.confirm(h.merchant.secretKey, a, withKey(k));
    const other = await h.sandbox.confirm(h.merchant.secretKey, b, withKey(k));
    expect(other.text).toBe(first.text);
    expect(other.json.paymentKey).toBe(a.paymentKey);
    expect((await paymentRow(db, b.paymentKey)).status).toBe('IN_PROGRESS');
  });

  it('scopes keys per merchant: the same key at another merchant executes', async () => {
    const other = await createPspMerchant(db);
    const k = key();
    const mine = await approveInWindow(db, h.merchant, clock);
    const theirs = await approveInWindow(db, other, clock);
    const r1 = await h.sandbox.confirm(h.merchant.secretKey, mine, withKey(k));
    const r2 = await h.sandbox.confirm(other.secretKey, theirs, withKey(k));
    expect([r1.status, r1.json.paymentKey]).toEqual([200, mine.paymentKey]);
    expect([r2.status, r2.json.paymentKey]).toEqual([200, theirs.paymentKey]);
  });

  it('replays an error response too, so a retry with a corrected body under the same key is not executed', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const k = key();
    const wrong = await h.sandbox.confirm(h.merchant.secretKey, { ...auth, amount: 1 }, withKey(k));
    const retry = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    expect([wrong.status, wrong.json.code]).toEqual([404, 'NOT_FOUND_PAYMENT_SESSION']);
    expect(retry.text).toBe(wrong.text);
    expect(retry.status).toBe(404);
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');
  });

  it('answers 409 IDEMPOTENT_REQUEST_PROCESSING while the first request is still running, then replays its result', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const k = key();
    // Hold the payment row so the first confirm blocks after claiming the key.
    const release = deferred();
    const locked = deferred();
    const holder = db.transaction(async (tx) => {
      await tx.select().from(pspPayments).where(eq(pspPayments.paymentKey, auth.paymentKey)).for('update');
      locked.resolve();
      await release.promise;
    });
    await locked.promise;
    const first = h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    try {
      await waitFor(async () => {
        const rows = await db.select().from(pspIdempotency)
          .where(and(eq(pspIdempotency.idempotencyKey, k), eq(pspIdempotency.mId, h.merchant.mId)));
        return rows.length === 1;
      }, 'the first request to claim the key');

      const duplicate = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
      expect(duplicate.status).toBe(409);
      expect(duplicate.json.code).toBe('IDEMPOTENT_REQUEST_PROCESSING');
    } finally {
      release.resolve();
      await holder;
    }
    const firstAnswer = await first;
    expect([firstAnswer.status, firstAnswer.json.status]).toEqual([200, 'DONE']);
    const later = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    expect(later.text).toBe(firstAnswer.text);
  });

  it('executes exactly one of many concurrent requests with one key', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const k = key();
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k))));
    const ok = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status === 409);
    // Nobody saw ALREADY_PROCESSED_PAYMENT: no request executed after the first one.
    expect(ok.length + busy.length).toBe(answers.length);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((a) => a.text)).size).toBe(1);
    expect(busy.every((a) => a.json.code === 'IDEMPOTENT_REQUEST_PROCESSING')).toBe(true);
    expect((await paymentRow(db, auth.paymentKey)).lastTransactionKey).toBe(ok[0]!.json.lastTransactionKey);
  });

  it('refuses a key longer than 300 characters with 400 INVALID_IDEMPOTENCY_KEY and accepts 300', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const tooLong = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey('k'.repeat(301)));
    expect([tooLong.status, tooLong.json.code]).toEqual([400, 'INVALID_IDEMPOTENCY_KEY']);
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');

    const longest = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(`${randomUUID()}${'k'.repeat(264)}`));
    expect([longest.status, longest.json.status]).toEqual([200, 'DONE']);
  });

  it('ignores the header on GET', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const k = key();
    const before = await h.sandbox.call('GET', `/v1/payments/${auth.paymentKey}`, { secretKey: h.merchant.secretKey, headers: withKey(k) });
    await h.sandbox.confirm(h.merchant.secretKey, auth);
    const after = await h.sandbox.call('GET', `/v1/payments/${auth.paymentKey}`, { secretKey: h.merchant.secretKey, headers: withKey(k) });
    expect([before.json.status, after.json.status]).toEqual(['IN_PROGRESS', 'DONE']);
  });

  it('takes over a claim abandoned by a request that died, but not a fresh one', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const scope = { mId: h.merchant.mId, method: 'POST', path: '/v1/payments/confirm' };
    const fresh = key();
    const abandoned = key();
    await db.insert(pspIdempotency).values([
      { ...scope, idempotencyKey: fresh, createdAt: clock.now() },
      { ...scope, idempotencyKey: abandoned, createdAt: new Date(clock.now().getTime() - 2 * 60_000) },
    ]);
    const busy = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(fresh));
    expect([busy.status, busy.json.code]).toEqual([409, 'IDEMPOTENT_REQUEST_PROCESSING']);
    const taken = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(abandoned));
    expect([taken.status, taken.json.status]).toEqual([200, 'DONE']);
  });

  it('counts a claim as abandoned after the age it is given (SANDBOX_ABANDONED_CLAIM_MS), 60 s by default', async () => {
    const scope = { mId: h.merchant.mId, method: 'POST', path: '/v1/payments/confirm', idempotencyKey: key() };
    await db.insert(pspIdempotency).values({ ...scope, createdAt: new Date(clock.now().getTime() - 6_000) });
    expect((await claimIdempotencyKey(db, scope, clock.now())).kind).toBe('in-flight');
    expect((await claimIdempotencyKey(db, scope, clock.now(), 5_000)).kind).toBe('claimed');
  });

  it('forgets a key after 15 days', async () => {
    const k = key();
    const a = await approveInWindow(db, h.merchant, clock);
    expect((await h.sandbox.confirm(h.merchant.secretKey, a, withKey(k))).status).toBe(200);
    clock.advance(15 * DAY + 1_000);
    const b = await approveInWindow(db, h.merchant, clock);
    const res = await h.sandbox.confirm(h.merchant.secretKey, b, withKey(k));
    expect([res.status, res.json.paymentKey]).toEqual([200, b.paymentKey]);
  });

  it('answers an unexpected failure with 500 FAILED_INTERNAL_SYSTEM_PROCESSING, hides internals, and frees the key', async () => {
    const auth = await approveInWindow(db, h.merchant, clock);
    const k = key();
    // A real database failure for this one payment: a trigger that rejects its update. (DDL takes
    // no bind parameters; the paymentKey is plain alphanumerics, checked here.)
    expect(auth.paymentKey).toMatch(/^[A-Za-z0-9]+$/);
    const fn = sql.identifier(`psp_test_fail_${randomUUID().replaceAll('-', '')}`);
    await db.execute(sql`create function sandbox.${fn}() returns trigger language plpgsql as $$
      begin raise exception 'simulated outage'; end $$`);
    await db.execute(sql`create trigger ${fn} before update on sandbox.payments for each row
      when (old.payment_key = ${sql.raw(`'${auth.paymentKey}'`)}) execute function sandbox.${fn}()`);
    let failed;
    try {
      failed = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    } finally {
      await db.execute(sql`drop trigger ${fn} on sandbox.payments`);
      await db.execute(sql`drop function sandbox.${fn}()`);
    }
    expect([failed.status, failed.json.code]).toEqual([500, 'FAILED_INTERNAL_SYSTEM_PROCESSING']);
    expect(failed.text).not.toContain('simulated outage');
    expect((await paymentRow(db, auth.paymentKey)).status).toBe('IN_PROGRESS');

    const retry = await h.sandbox.confirm(h.merchant.secretKey, auth, withKey(k));
    expect([retry.status, retry.json.status]).toEqual([200, 'DONE']);
  });
});
