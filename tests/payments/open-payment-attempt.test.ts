import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentHistory, payments } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { openPaymentAttempt } from '@/lib/payments/open-payment-attempt';
import { failPayment } from '@/lib/payments/finish-payment';
import { createIsolatedDatabase } from '../helpers/db';
import { createShop } from '../helpers/fixtures';

let own: Awaited<ReturnType<typeof createIsolatedDatabase>>;
beforeAll(async () => {
  own = await createIsolatedDatabase(); // the triggers below are this file's alone
});
afterAll(async () => {
  await own.close();
});

describe('opening a payment attempt', () => {
  it('when the attempt a concurrent call created has already failed, a new one is opened, not an error (found by the simulator, seed 50441)', async () => {
    const shop = await createShop(own.db);
    const order = await createOrder(own.db, { items: [{ productId: shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
    const [first] = await own.db.select().from(payments).where(eq(payments.orderId, order.orderId));
    await failPayment(own.db, first!, { code: 'REJECT_CARD_COMPANY', message: 'declined' }, 'test', ['NOT_STARTED']);
    // Replays the interleaving deterministically: our insert conflicts with an attempt another
    // confirm has just created (the BEFORE trigger), and that confirm's decline fails it before
    // we read it back (the AFTER trigger). Once only.
    await own.sql.unsafe(`
      create table race_once (done boolean not null);
      insert into race_once values (false);
      create function race_create() returns trigger language plpgsql as $$ begin
        if pg_trigger_depth() = 1 and not (select done from race_once) then
          insert into payments (id, order_id, merchant_id, amount, currency, status, confirm_idempotency_key)
            select 'pay_concurrent', order_id, merchant_id, amount, currency, 'NOT_STARTED', 'cfm_concurrent' from payments where order_id = '${order.orderId}' limit 1;
        end if;
        return null;
      end $$;
      create function race_fail() returns trigger language plpgsql as $$ begin
        if pg_trigger_depth() = 1 and not (select done from race_once) then
          update payments set status = 'FAILURE' where id = 'pay_concurrent';
          update race_once set done = true;
        end if;
        return null;
      end $$;
      create trigger race_create before insert on payments for each statement execute function race_create();
      create trigger race_fail after insert on payments for each statement execute function race_fail();`);
    try {
      const attempt = await openPaymentAttempt(own.db, { orderId: order.orderId, merchantId: shop.merchantId, amount: BigInt(order.amount), currency: 'KRW' }, 'test');
      expect(attempt.status).toBe('NOT_STARTED');
      expect(attempt.id).not.toBe('pay_concurrent');
      const all = await own.db.select({ id: payments.id, status: payments.status }).from(payments).where(eq(payments.orderId, order.orderId));
      expect(all.map((p) => p.status).sort()).toEqual(['FAILURE', 'FAILURE', 'NOT_STARTED']);
      const history = await own.db.select({ event: paymentHistory.event }).from(paymentHistory).where(eq(paymentHistory.paymentId, attempt.id));
      expect(history.map((h) => h.event)).toEqual(['CREATED']);
    } finally {
      await own.sql.unsafe('drop trigger race_create on payments; drop trigger race_fail on payments; drop function race_create(); drop function race_fail(); drop table race_once;');
    }
  });
});
