import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client';
import { pspFaults, pspMerchants } from '../db/schema';
import { toKstIso } from './clock';
import { PspError } from './errors';
import { isTestMerchant } from './merchants';
import { describeIssues } from './validation';

/**
 * Fault injection, for tests and chaos runs. Sandbox-only: Toss has nothing like it. A fault
 * makes the merchant's next `count` calls of one operation misbehave (with `paymentKey`: only
 * calls about that payment, so a test or a seeded chaos run chooses exactly which calls fail):
 *   lose-response — the call is executed for real (the payment becomes DONE, the cancel happens,
 *                   an Idempotency-Key stores its response), but the HTTP response is lost: the
 *                   connection drops before any byte, so the client sees a network error;
 *   server-error  — nothing is executed; the answer is 500 FAILED_INTERNAL_SYSTEM_PROCESSING;
 *   slow          — the call waits `delayMs`, then runs normally.
 */
export const FAULT_OPERATIONS = ['confirm', 'cancel', 'lookup'] as const;
export const FAULT_MODES = ['lose-response', 'server-error', 'slow'] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];
export type FaultMode = (typeof FAULT_MODES)[number];

export const DEFAULT_SLOW_DELAY_MS = 2_000;
export const MAX_SLOW_DELAY_MS = 60_000;

export const faultSchema = z.object({
  operation: z.enum(FAULT_OPERATIONS, { error: 'operation must be confirm, cancel or lookup' }),
  mode: z.enum(FAULT_MODES, { error: 'mode must be lose-response, server-error or slow' }),
  count: z.number({ error: 'count must be a number' })
    .int('count must be a whole number').min(1, 'count must be at least 1').max(10_000, 'count must be at most 10000')
    .default(1),
  delayMs: z.number({ error: 'delayMs must be a number' })
    .int('delayMs must be a whole number').min(0, 'delayMs must not be negative')
    .max(MAX_SLOW_DELAY_MS, `delayMs must be at most ${MAX_SLOW_DELAY_MS}`)
    .optional(),
  paymentKey: z.string({ error: 'paymentKey must be a string' }).min(1, 'paymentKey must not be empty').max(200, 'paymentKey must be at most 200 characters').optional(),
}, { error: 'the body must be a JSON object with operation and mode' })
  .refine((f) => f.delayMs === undefined || f.mode === 'slow', { message: 'delayMs is only for mode slow', path: ['delayMs'] });
export type FaultInput = z.input<typeof faultSchema>;

export type PspFault = typeof pspFaults.$inferSelect;

/** A fault as the control API shows it. */
export function toFaultObject(f: PspFault) {
  return {
    id: f.id,
    operation: f.operation,
    mode: f.mode,
    count: f.count,
    remaining: f.remaining,
    delayMs: f.delayMs,
    paymentKey: f.paymentKey,
    createdAt: toKstIso(f.createdAt),
  };
}

/**
 * Queues a fault for the merchant's next calls of `fault.operation`, after any already queued
 * for it. Test merchants only (403 FORBIDDEN_REQUEST for live keys); an invalid fault is
 * 400 INVALID_REQUEST.
 */
export async function injectFault(db: DbOrTx, mId: string, fault: FaultInput): Promise<PspFault> {
  const parsed = faultSchema.safeParse(fault);
  if (!parsed.success) throw new PspError('INVALID_REQUEST', `Invalid fault: ${describeIssues(parsed.error).join('; ')}.`);
  const f = parsed.data;
  const [merchant] = await db.select({ secretKey: pspMerchants.secretKey }).from(pspMerchants).where(eq(pspMerchants.mId, mId));
  if (!merchant) throw new Error(`no PSP merchant ${mId}`);
  if (!isTestMerchant(merchant)) throw new PspError('FORBIDDEN_REQUEST', 'Fault injection is only available with test keys (test_sk_…).');
  const [row] = await db.insert(pspFaults).values({
    mId,
    operation: f.operation,
    mode: f.mode,
    count: f.count,
    remaining: f.count,
    delayMs: f.mode === 'slow' ? (f.delayMs ?? DEFAULT_SLOW_DELAY_MS) : null,
    paymentKey: f.paymentKey ?? null,
  }).returning();
  if (!row) throw new Error('insert of a fault returned no row');
  return row;
}

/** Removes every fault of the merchant, used up or not. Returns how many were still pending. */
export async function clearFaults(db: DbOrTx, mId: string): Promise<number> {
  const removed = await db.delete(pspFaults).where(eq(pspFaults.mId, mId)).returning({ remaining: pspFaults.remaining });
  return removed.filter((f) => f.remaining > 0).length;
}

/** The merchant's faults that still have calls left, oldest first. */
export async function listPendingFaults(db: DbOrTx, mId: string): Promise<PspFault[]> {
  return db.select().from(pspFaults)
    .where(and(eq(pspFaults.mId, mId), gt(pspFaults.remaining, 0)))
    .orderBy(asc(pspFaults.id));
}

/**
 * Uses up one call of the oldest pending fault for this operation that applies to the call (armed
 * for any payment, or for `paymentKey`), if any. One UPDATE whose
 * target is chosen by a locking subquery, so concurrent calls each take a different call of the
 * fault: a fault with count n affects exactly n calls, however they interleave. (A waiting call
 * re-checks `remaining` once the row is free and moves on to the next fault if it is used up.)
 */
export async function takeFault(
  db: DbOrTx, mId: string, operation: FaultOperation, paymentKey: string | null = null,
): Promise<Pick<PspFault, 'id' | 'mode' | 'delayMs'> | null> {
  const applies = paymentKey === null
    ? isNull(pspFaults.paymentKey)
    : or(isNull(pspFaults.paymentKey), eq(pspFaults.paymentKey, paymentKey));
  const oldest = db.select({ id: pspFaults.id }).from(pspFaults)
    .where(and(eq(pspFaults.mId, mId), eq(pspFaults.operation, operation), gt(pspFaults.remaining, 0), applies))
    .orderBy(asc(pspFaults.id))
    .limit(1)
    .for('update');
  const [taken] = await db.update(pspFaults)
    .set({ remaining: sql`${pspFaults.remaining} - 1` })
    .where(and(inArray(pspFaults.id, oldest), gt(pspFaults.remaining, 0)))
    .returning({ id: pspFaults.id, mode: pspFaults.mode, delayMs: pspFaults.delayMs });
  return taken ?? null;
}
