import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { merchants, outbox } from '@/db/schema';
import type { PaymentEvent } from '@/lib/events/contract';
import { newId } from '@/lib/ids';

/**
 * N valid PaymentApproved events written straight to the outbox (as confirm would, minus the
 * payment rows), for relay tests that need volume. Returns their ids and the payable they add.
 */
export async function insertApprovedEvents(db: Db, n: number, opts: { merchantId?: string } = {}) {
  const merchantId = opts.merchantId ?? newId('mer');
  await db.insert(merchants).values({ id: merchantId, name: 'Synthetic' }).onConflictDoNothing();
  const events: PaymentEvent[] = [];
  for (let i = 0; i < n; i++) {
    const amount = 1_000 + (i % 97) * 100;
    events.push({
      eventId: newId('evt'), type: 'PaymentApproved', version: 1, occurredAt: new Date().toISOString(),
      merchantId, paymentId: newId('pay'), orderId: newId('ord'), amount, currency: 'KRW',
      pspPaymentKey: `tsbx${i}`, platformFee: Math.floor(amount * 0.025), approvedAt: new Date().toISOString(),
    });
  }
  for (let i = 0; i < events.length; i += 1_000) {
    await db.insert(outbox).values(events.slice(i, i + 1_000).map((e) => ({ eventId: e.eventId, eventType: e.type, aggregateId: e.paymentId, merchantId, payload: e })));
  }
  const payable = events.reduce((s, e) => s + BigInt(e.amount) - BigInt(e.type === 'PaymentApproved' ? e.platformFee : 0), 0n);
  return { merchantId, events, payable };
}

export async function unpublishedCount(db: Db): Promise<number> {
  const [row] = (await db.execute(sql`select count(*)::int as n from outbox where published_at is null`)) as unknown as { n: number }[];
  return row!.n;
}
