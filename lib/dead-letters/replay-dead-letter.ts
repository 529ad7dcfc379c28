import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '@/db/client';
import { deadLetters, merchants, outbox } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { paymentEventSchema } from '@/lib/events/contract';
import { recordAudit } from '@/lib/audit/record-audit';

export type ReplayResult = { replayed: true } | { replayed: false; reason: 'already-replayed' };
type DeadLetter = typeof deadLetters.$inferSelect;

/**
 * Puts a dead-lettered event back on the main topic, through the outbox (nothing is published
 * from a request). The same eventId travels again, so consumers that already applied it skip it.
 * Replaying a letter twice enqueues it once: the conditional update on replayed_at decides.
 */
export async function replayDeadLetter(db: DbOrTx, merchantId: string, deadLetterId: bigint, actor = 'system'): Promise<ReplayResult> {
  return db.transaction(async (tx) => {
    const [letter] = await tx.select().from(deadLetters).where(and(eq(deadLetters.id, deadLetterId), eq(deadLetters.merchantId, merchantId)));
    if (!letter) throw notFound('The dead letter');
    return replay(tx, letter, letter.payload, actor, merchantId);
  });
}

/**
 * An operator's replay of a dead letter that belongs to no merchant (its payload was not a valid
 * event when it failed). It goes back on the main topic only if it is a valid event now, say
 * after a fix to the contract; otherwise it stays, with its raw value, for inspection. The audit
 * entry has no merchant: it is the platform's.
 */
export async function replayOrphanDeadLetter(db: Db, deadLetterId: bigint, operatorActor: string): Promise<ReplayResult> {
  return db.transaction(async (tx) => {
    const [letter] = await tx.select().from(deadLetters).where(and(eq(deadLetters.id, deadLetterId), isNull(deadLetters.merchantId)));
    if (!letter) throw notFound('The dead letter');
    const payload = letter.payload ?? parseJson(letter.rawValue);
    const event = paymentEventSchema.safeParse(payload);
    if (event.success) {
      // A valid event naming a merchant we do not have would still belong to no one.
      const [known] = await tx.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, event.data.merchantId));
      if (!known) throw new AppError('VALIDATION_FAILED', 'This dead letter names a merchant that does not exist, so it cannot be replayed.');
    }
    return replay(tx, letter, payload, operatorActor, null);
  });
}

function parseJson(raw: string | null): unknown {
  if (raw === null) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

async function replay(tx: Tx, letter: DeadLetter, payload: unknown, actor: string, auditMerchantId: string | null): Promise<ReplayResult> {
  const event = paymentEventSchema.safeParse(payload);
  if (!event.success) throw new AppError('VALIDATION_FAILED', 'This dead letter is not a valid event, so it cannot be replayed. Its raw payload is kept for inspection.');
  const [claimed] = await tx.update(deadLetters)
    .set({ replayedAt: sql`now()`, replayCount: sql`${deadLetters.replayCount} + 1` })
    .where(and(eq(deadLetters.id, letter.id), isNull(deadLetters.replayedAt)))
    .returning({ id: deadLetters.id });
  if (!claimed) return { replayed: false, reason: 'already-replayed' };
  await tx.insert(outbox).values({
    eventId: event.data.eventId,
    eventType: event.data.type,
    aggregateId: event.data.paymentId,
    merchantId: event.data.merchantId,
    payload: event.data,
  });
  await recordAudit(tx, {
    merchantId: auditMerchantId, actor, action: 'dead-letter.replayed', target: String(letter.id),
    detail: { eventId: event.data.eventId, consumer: letter.consumer, ...(auditMerchantId === null ? { orphan: true, eventMerchantId: event.data.merchantId } : {}) },
  });
  return { replayed: true };
}
