import { outbox } from '@/db/schema';
import type { DbOrTx } from '@/db/client';
import { paymentEventSchema, type PaymentEvent } from '@/lib/events/contract';
import { newId } from '@/lib/ids';

export type NewEvent = PaymentEvent extends infer E ? (E extends PaymentEvent ? Omit<E, 'eventId' | 'version' | 'occurredAt'> : never) : never;

/**
 * Writes an event to the outbox. Call it inside the transaction of the state change it
 * announces: both commit or neither does. The relay publishes it later (at least once).
 */
export async function enqueueEvent(tx: DbOrTx, event: NewEvent): Promise<PaymentEvent> {
  const full = buildEvent(event);
  await tx.insert(outbox).values({
    eventId: full.eventId,
    eventType: full.type,
    aggregateId: full.paymentId,
    merchantId: full.merchantId,
    payload: full,
  });
  return full;
}

/**
 * The full, validated event (id, version, time added). Statements that write the outbox row
 * themselves, in the statement of the state change, use this for the payload.
 */
export function buildEvent(event: NewEvent): PaymentEvent {
  return paymentEventSchema.parse({
    ...event,
    eventId: newId('evt'),
    version: 1,
    occurredAt: new Date().toISOString(),
  });
}
