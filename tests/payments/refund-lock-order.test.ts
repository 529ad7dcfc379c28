import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { payments, refunds } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { executeRefund } from '@/lib/refunds/execute-refund';
import { usePaymentsHarness } from '../helpers/payments-harness';

// Its own database: the test waits until a backend of this database is blocked on a row lock.
const t = usePaymentsHarness({ isolated: true });

/**
 * The interleaving the seeded simulator hit (seed 211): two refund requests with one new
 * Idempotency-Key. A reserved the refund and is booking it; B had looked for the key before A
 * committed, holds the payment's row lock and inserts the same key. Booking took the refund row
 * before the payment row, and B's unique check waits for the refund row: a deadlock, and a 500
 * for one of the merchant's requests. Booking now locks the payment first, so B's insert meets
 * the committed key at once (the unique violation that request-refund turns into "same refund").
 */
describe('refund lock order', () => {
  it('booking a refund while a same-key reservation holds the payment: no deadlock', { timeout: 30_000 }, async () => {
    const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
    const paid = await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(await t.psp.approve(order)));
    const paymentId = paid.payment!.id;
    const key = newId('rfd');
    // A's reservation, committed: a PENDING refund under the key.
    const [reserved] = await t.db.insert(refunds).values({
      id: newId('rfd'), paymentId, merchantId: t.shop.merchantId, amount: 500n, currency: 'KRW', reason: 'double click',
      idempotencyKey: key, pspIdempotencyKey: newId('rfd'), requestedBy: 'test',
    }).returning();

    let booking: Promise<unknown> | undefined;
    const reservationB = t.db.transaction(async (tx) => {
      await tx.select({ id: payments.id }).from(payments).where(eq(payments.id, paymentId)).for('update');
      booking = executeRefund(t.db, t.psp.client(), reserved!, 'test');
      // Wait until the booking is blocked on a lock this transaction holds.
      for (let i = 0; ; i++) {
        const [w] = (await t.db.execute(sql`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`)) as unknown as { n: number }[];
        if (w!.n > 0) break;
        if (i > 500) throw new Error('the booking never waited for the payment row');
        await new Promise((r) => setTimeout(r, 10));
      }
      await tx.insert(refunds).values({
        id: newId('rfd'), paymentId, merchantId: t.shop.merchantId, amount: 500n, currency: 'KRW', reason: 'double click',
        idempotencyKey: key, pspIdempotencyKey: newId('rfd'), requestedBy: 'test',
      });
    });
    await expect(reservationB).rejects.toMatchObject({ cause: { code: '23505' } }); // unique violation, not 40P01 deadlock
    await expect(booking).resolves.toMatchObject({ status: 'SUCCEEDED', amount: 500 });
  });
});
