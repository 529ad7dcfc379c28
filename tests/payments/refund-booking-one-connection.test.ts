import { describe, expect, inject, it } from 'vitest';
import { connect } from '@/db/client';
import { refunds } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { executeRefund } from '@/lib/refunds/execute-refund';
import { usePaymentsHarness } from '../helpers/payments-harness';

const t = usePaymentsHarness();

/**
 * The 10,000-seed simulation hung two seeds, one for over an hour: a refund retry found
 * the refund already booked by a concurrent retry and, still inside its booking transaction
 * (which holds the payment's row lock), reloaded the refund through the pool instead of the
 * transaction. The pool's other connections were all requests waiting for that same row lock, so
 * the reload never got a connection: a deadlock PostgreSQL cannot see, and a process that stops
 * answering. On a pool of one connection it happens every time, which makes the test exact: the
 * booking must finish using only the connection it already holds.
 */
describe('booking a refund that a concurrent retry already booked', () => {
  it('finishes on the transaction it holds, without a second pooled connection', { timeout: 30_000 }, async () => {
    const order = await createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
    const paid = await confirmPayment(t.db, t.psp.client(), successRedirectSchema.parse(await t.psp.approve(order)));
    const [reserved] = await t.db.insert(refunds).values({
      id: newId('rfd'), paymentId: paid.payment!.id, merchantId: t.shop.merchantId, amount: 500n, currency: 'KRW',
      reason: 'retried twice', idempotencyKey: newId('rfd'), pspIdempotencyKey: newId('rfd'), requestedBy: 'test',
    }).returning();
    // The first retry books it.
    await expect(executeRefund(t.db, t.psp.client(), reserved!, 'test')).resolves.toMatchObject({ status: 'SUCCEEDED' });

    // The second retry still holds the refund as it was read before (PENDING); the PSP answers
    // its same Idempotency-Key with the same cancel. It runs on a pool of one connection.
    const single = connect(inject('databaseUrl'), { max: 1, appName: 'won-checkout-test' });
    try {
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the booking waited for a second connection (pool deadlock)')), 10_000);
      });
      const second = executeRefund(single.db, t.psp.client(), reserved!, 'test');
      await expect(Promise.race([second, stuck])).resolves.toMatchObject({ id: reserved!.id, status: 'SUCCEEDED', amount: 500 });
      clearTimeout(timer);
    } finally {
      await single.sql.end({ timeout: 1 });
    }
  });
});
