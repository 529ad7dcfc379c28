import { and, eq, isNull, lte } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspIdempotency } from '../db/schema';

/** Toss: a key is valid for 15 days from its first use (reference §5.3). */
export const IDEMPOTENCY_TTL_MS = 15 * 24 * 60 * 60 * 1000;
/**
 * A claim still without a response after this long belongs to a request that died (process
 * killed mid-request); it may be taken over so the key is not stuck at 409 for 15 days.
 * Every sandbox request is a few queries, so a live one never takes this long. The default;
 * SANDBOX_ABANDONED_CLAIM_MS sets another (the chaos run shortens it to bound its recovery).
 */
export const ABANDONED_CLAIM_MS = 60 * 1000;

/** Toss matches (Idempotency-Key, API key, request URL, HTTP method); the body is not part of it. */
export interface IdempotencyScope {
  idempotencyKey: string;
  mId: string;
  method: string;
  path: string;
}

export type Claim =
  /** `token` fences the claim: only its holder can record the response or release it. */
  | { kind: 'claimed'; token: Date }
  | { kind: 'in-flight' }
  | { kind: 'replay'; status: number; body: string };

const byScope = (s: IdempotencyScope) => and(
  eq(pspIdempotency.idempotencyKey, s.idempotencyKey),
  eq(pspIdempotency.mId, s.mId),
  eq(pspIdempotency.method, s.method),
  eq(pspIdempotency.path, s.path),
);

/**
 * Claims the scope for this request, or says why not. The claim is one INSERT … ON CONFLICT DO
 * NOTHING, so of concurrent requests exactly one wins; run it outside a transaction, so the
 * others see it at once and answer 409 instead of waiting.
 */
export async function claimIdempotencyKey(db: DbOrTx, scope: IdempotencyScope, at: Date, abandonedClaimMs = ABANDONED_CLAIM_MS): Promise<Claim> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [inserted] = await db.insert(pspIdempotency).values({ ...scope, createdAt: at })
      .onConflictDoNothing().returning({ createdAt: pspIdempotency.createdAt });
    if (inserted) return { kind: 'claimed', token: inserted.createdAt };

    const [existing] = await db.select().from(pspIdempotency).where(byScope(scope));
    if (!existing) continue; // removed between our insert and select: try again
    const age = at.getTime() - existing.createdAt.getTime();
    if (age >= IDEMPOTENCY_TTL_MS) {
      // Expired: forget it and claim afresh. Conditional on createdAt so only one request does it.
      await db.delete(pspIdempotency).where(and(byScope(scope), eq(pspIdempotency.createdAt, existing.createdAt)));
      continue;
    }
    if (existing.responseStatus !== null && existing.responseBody !== null) {
      return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
    }
    if (age >= abandonedClaimMs) {
      const [taken] = await db.update(pspIdempotency).set({ createdAt: at })
        .where(and(byScope(scope), isNull(pspIdempotency.responseStatus), lte(pspIdempotency.createdAt, existing.createdAt)))
        .returning({ createdAt: pspIdempotency.createdAt });
      if (taken) return { kind: 'claimed', token: taken.createdAt };
      continue;
    }
    return { kind: 'in-flight' };
  }
  // Only reachable under pathological churn on one key; the caller may simply retry.
  return { kind: 'in-flight' };
}

const heldClaim = (s: IdempotencyScope, token: Date) =>
  and(byScope(s), eq(pspIdempotency.createdAt, token), isNull(pspIdempotency.responseStatus));

/**
 * Stores the first response. Run it in the transaction that made the request's changes, and roll
 * that back when it returns false: the claim was taken over, so another request is executing.
 */
export async function recordIdempotentResponse(
  db: DbOrTx, scope: IdempotencyScope, token: Date, response: { status: number; body: string },
): Promise<boolean> {
  const updated = await db.update(pspIdempotency).set({ responseStatus: response.status, responseBody: response.body })
    .where(heldClaim(scope, token)).returning({ createdAt: pspIdempotency.createdAt });
  return updated.length === 1;
}

/** Gives the key back when the request failed without any effect, so a retry executes it. */
export async function releaseIdempotencyKey(db: DbOrTx, scope: IdempotencyScope, token: Date): Promise<void> {
  await db.delete(pspIdempotency).where(heldClaim(scope, token));
}
