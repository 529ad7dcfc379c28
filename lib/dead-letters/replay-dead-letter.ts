import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { deadLetters, outbox } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { paymentEventSchema } from '@/lib/events/contract';
import { recordAudit } from '@/lib/audit/record-audit';

export type ReplayResult = { replayed: true } | { replayed: false; reason: 'already-replayed' };

/**
 * Puts a dead-lettered event back on the main topic, through the outbox (nothing is published
 * from a request). The same eventId travels again, so consumers that already applied it skip it.
 * Replaying a letter twice enqueues it once: the conditional update on replayed_at decides.
 */
export async function replayDeadLetter(db: Db, merchantId: string, deadLetterId: bigint, actor = 'system'): Promise<ReplayResult> {
  return db.transaction(async (tx) => {
    const [letter] = await tx.select().from(deadLetters).where(and(eq(deadLetters.id, deadLetterId), eq(deadLetters.merchantId, merchantId)));
    if (!letter) throw notFound('The dead letter');
    const event = paymentEventSchema.safeParse(letter.payload);
    if (!event.success) throw new AppError('VALIDATION_FAILED', 'This dead letter is not a valid event, so it cannot be replayed. Its raw payload is kept for inspection.');
    const [claimed] = await tx.update(deadLetters)
      .set({ replayedAt: sql`now()`, replayCount: sql`${deadLetters.replayCount} + 1` })
      .where(and(eq(deadLetters.id, deadLetterId), isNull(deadLetters.replayedAt)))
      .returning({ id: deadLetters.id });
    if (!claimed) return { replayed: false, reason: 'already-replayed' };
    await tx.insert(outbox).values({
      eventId: event.data.eventId,
      eventType: event.data.type,
      aggregateId: event.data.paymentId,
      merchantId: event.data.merchantId,
      payload: event.data,
    });
    await recordAudit(tx, { merchantId, actor, action: 'dead-letter.replayed', target: String(deadLetterId), detail: { eventId: event.data.eventId, consumer: letter.consumer } });
    return { replayed: true };
  });
}
