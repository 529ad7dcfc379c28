import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journalLines, ledgerAccounts, paymentHistory, payments } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { recordWindowFailure } from '@/lib/payments/record-window-failure';
import { requestPayment } from '@/lib/payments/request-payment';
import { createIsolatedDatabase } from '../helpers/db';
import { createShop } from '../helpers/fixtures';
import { waitFor } from '../helpers/kafka';
import { orderFacts } from '../helpers/ledger-counts';
import { usePaymentsHarness } from '../helpers/payments-harness';
import { startSandbox } from '../helpers/psp';

const t = usePaymentsHarness({ feeBps: 250 });

async function newOrder(quantity = 1) {
  return createOrder(t.db, { items: [{ productId: t.shop.productIds[0], quantity }, { productId: t.shop.productIds[1], quantity: 1 }], checkoutKey: newId('cfm') });
}
const redirect = (q: { orderId: string; paymentKey: string; amount: string }) => successRedirectSchema.parse(q);

describe('confirm (approve step)', () => {
  it('approves: SUCCESS, one balanced approval journal, history and one PaymentApproved event', async () => {
    const order = await newOrder(2);
    expect(order.amount).toBe(2 * 15_000 + 4_200);
    const before = t.psp.confirmCalls();
    const result = await confirmPayment(t.db, t.psp.client(), redirect(await t.psp.approve(order)));
    expect(result.status).toBe('PAID');
    expect(t.psp.confirmCalls() - before).toBe(1);

    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['SUCCESS']);
    expect(facts.history).toEqual(['CREATED', 'CONFIRM_STARTED', 'APPROVED']);
    expect(facts.journals).toHaveLength(1);
    expect(facts.journals[0]!.kind).toBe('PAYMENT_APPROVAL');
    const lines = await t.db.select({ code: ledgerAccounts.code, amount: journalLines.amount }).from(journalLines)
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, journalLines.accountId))
      .where(eq(journalLines.journalId, facts.journals[0]!.id));
    const fee = (34_200n * 250n) / 10_000n;
    expect(lines.map((l) => [l.code, l.amount]).sort()).toEqual([
      ['MERCHANT_PAYABLE', -34_200n], ['MERCHANT_PAYABLE', fee], ['PLATFORM_REVENUE', -fee], ['PSP_RECEIVABLE', 34_200n],
    ].sort());
    expect(facts.events).toHaveLength(1);
    expect(facts.events[0]!.eventType).toBe('PaymentApproved');
    expect(facts.events[0]!.aggregateId).toBe(facts.attempts[0]!.id);
    expect(facts.events[0]!.payload).toMatchObject({ type: 'PaymentApproved', version: 1, orderId: order.orderId, amount: 34_200, currency: 'KRW', merchantId: t.shop.merchantId });
  });

  it('ten concurrent confirms of one order charge once and post once', async () => {
    const order = await newOrder();
    const query = redirect(await t.psp.approve(order));
    const before = t.psp.confirmCalls();
    const results = await Promise.all(Array.from({ length: 10 }, () => confirmPayment(t.db, t.psp.client(), query)));
    expect(results.every((r) => r.status === 'PAID' || r.status === 'CONFIRMING')).toBe(true);
    expect(t.psp.confirmCalls() - before).toBe(1);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['SUCCESS']);
    expect(facts.journals).toHaveLength(1);
    expect(facts.events).toHaveLength(1);
  });

  it('revisiting the success URL after approval calls nothing and posts nothing', async () => {
    const order = await newOrder();
    const query = redirect(await t.psp.approve(order));
    await confirmPayment(t.db, t.psp.client(), query);
    const before = t.psp.confirmCalls();
    const again = await confirmPayment(t.db, t.psp.client(), query);
    expect(again.status).toBe('PAID');
    expect(t.psp.confirmCalls()).toBe(before);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.journals).toHaveLength(1);
    expect(facts.events).toHaveLength(1);
  });

  it('a tampered amount is rejected before any PSP call and written to the history', async () => {
    const order = await newOrder();
    const real = await t.psp.approve(order);
    const before = t.psp.confirmCalls();
    await expect(confirmPayment(t.db, t.psp.client(), redirect({ ...real, amount: '100' }))).rejects.toMatchObject({ code: 'AMOUNT_MISMATCH' });
    expect(t.psp.confirmCalls()).toBe(before);
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['NOT_STARTED']);
    expect(facts.history).toEqual(['CREATED', 'TAMPER_REJECTED']);
    expect(facts.journals).toHaveLength(0);
    expect(facts.events).toHaveLength(0);
  });

  it('a swapped orderId (another order, another amount) is rejected before any PSP call', async () => {
    const paid = await newOrder();
    const other = await newOrder(3);
    const real = await t.psp.approve(paid);
    const before = t.psp.confirmCalls();
    await expect(confirmPayment(t.db, t.psp.client(), redirect({ ...real, orderId: other.orderId }))).rejects.toMatchObject({ code: 'AMOUNT_MISMATCH' });
    expect(t.psp.confirmCalls()).toBe(before);
    expect((await orderFacts(t.db, other.orderId)).history).toContain('TAMPER_REJECTED');
  });

  it('is atomic: an error after the journal insert leaves no SUCCESS, journal, history or event', async () => {
    // Fault injected inside the database: the outbox insert (after the journal) fails for this
    // merchant only, so parallel test files are unaffected.
    const fn = `fail_outbox_${t.shop.merchantId}`;
    await t.db.execute(sql.raw(`create function ${fn}() returns trigger language plpgsql as $$ begin
      if new.merchant_id = '${t.shop.merchantId}' then raise exception 'injected outbox failure'; end if; return new; end $$`));
    await t.db.execute(sql.raw(`create trigger ${fn} before insert on outbox for each row execute function ${fn}()`));
    const order = await newOrder();
    try {
      const result = await confirmPayment(t.db, t.psp.client(), redirect(await t.psp.approve(order)));
      expect(result.status).toBe('CONFIRMING');
    } finally {
      await t.db.execute(sql.raw(`drop trigger ${fn} on outbox; drop function ${fn}()`));
    }
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['UNKNOWN']);
    expect(facts.journals).toHaveLength(0);
    expect(facts.events).toHaveLength(0);
    expect(facts.history).not.toContain('APPROVED');
  });

  it('a card decline ends in FAILURE with PaymentFailed and no journal', async () => {
    const order = await newOrder();
    const result = await confirmPayment(t.db, t.psp.client({ headers: { 'TossPayments-Test-Code': 'REJECT_CARD_COMPANY' } }), redirect(await t.psp.approve(order)));
    expect(result.status).toBe('PAYMENT_FAILED');
    expect(result.payment?.failure?.code).toBe('REJECT_CARD_COMPANY');
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['FAILURE']);
    expect(facts.journals).toHaveLength(0);
    expect(facts.events.map((e) => e.eventType)).toEqual(['PaymentFailed']);
  });

  it('a PSP 5xx leaves the payment UNKNOWN, never FAILURE, with nothing posted', async () => {
    const order = await newOrder();
    const result = await confirmPayment(t.db, t.psp.client({ headers: { 'TossPayments-Test-Code': 'FAILED_INTERNAL_SYSTEM_PROCESSING' } }), redirect(await t.psp.approve(order)));
    expect(result.status).toBe('CONFIRMING');
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['UNKNOWN']);
    expect(facts.history).toEqual(['CREATED', 'CONFIRM_STARTED', 'CONFIRM_OUTCOME_UNKNOWN']);
    expect(facts.journals).toHaveLength(0);
    expect(facts.events).toHaveLength(0);
  });

  it('a PSP timeout leaves the payment UNKNOWN', async () => {
    const order = await newOrder();
    const query = redirect(await t.psp.approve(order));
    t.psp.setDelay(4_000); // confirm only: the paymentKey lookup before it is not slowed
    try {
      const result = await confirmPayment(t.db, t.psp.client({ timeoutMs: 2_000 }), query);
      expect(result.status).toBe('CONFIRMING');
    } finally {
      t.psp.setDelay(0);
    }
    expect((await orderFacts(t.db, order.orderId)).statuses).toEqual(['UNKNOWN']);
  });

  it('after a decline in the window the shopper retries with a new attempt and pays once', async () => {
    const order = await newOrder();
    await recordWindowFailure(t.db, t.psp.client(), { orderId: order.orderId, code: 'REJECT_CARD_COMPANY', message: 'declined' });
    expect((await orderFacts(t.db, order.orderId)).statuses).toEqual(['FAILURE']);
    await requestPayment(t.db, order.orderId);
    const result = await confirmPayment(t.db, t.psp.client(), redirect(await t.psp.approve(order)));
    expect(result.status).toBe('PAID');
    const facts = await orderFacts(t.db, order.orderId);
    expect(facts.statuses).toEqual(['FAILURE', 'SUCCESS']);
    expect(facts.journals).toHaveLength(1);
    expect(facts.events.map((e) => e.eventType).sort()).toEqual(['PaymentApproved', 'PaymentFailed']);
    await expect(requestPayment(t.db, order.orderId)).rejects.toMatchObject({ code: 'ORDER_ALREADY_PAID' });
  });

  it('a new attempt (a retry after a decline) becomes visible together with its CREATED history row, never before (found by the simulator, seed 50028)', async () => {
    // Without one transaction, a concurrent confirm could take the attempt to EXECUTING before
    // its creation was written down, and its timeline began with CONFIRM_STARTED.
    const own = await createIsolatedDatabase();
    const psp = await startSandbox(own.db);
    try {
      const shop = await createShop(own.db);
      const order = await createOrder(own.db, { items: [{ productId: shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
      await recordWindowFailure(own.db, psp.client(), { orderId: order.orderId, code: 'REJECT_CARD_COMPANY', message: 'declined' });
      const query = redirect(await psp.approve(order));
      let confirming: Promise<unknown> = Promise.resolve();
      const visibleEarly = await own.sql.begin(async (tx) => {
        await tx`lock table payment_history in share mode`; // history inserts wait until we commit
        confirming = confirmPayment(own.db, psp.client(), query);
        await waitFor('the confirm to wait on the history insert', async () => {
          const [row] = await own.sql`select count(*)::int as n from pg_locks where relation = 'payment_history'::regclass and not granted`;
          return row!.n > 0;
        });
        return own.sql`select id from payments where order_id = ${order.orderId} and status <> 'FAILURE'`;
      });
      expect(visibleEarly).toHaveLength(0);
      await confirming;
      const [paid] = await own.db.select().from(payments).where(and(eq(payments.orderId, order.orderId), eq(payments.status, 'SUCCESS')));
      const history = await own.db.select({ event: paymentHistory.event }).from(paymentHistory).where(eq(paymentHistory.paymentId, paid!.id)).orderBy(paymentHistory.id);
      expect(history.map((h) => h.event)).toEqual(['CREATED', 'CONFIRM_STARTED', 'APPROVED']);
    } finally {
      await psp.close();
      await own.close();
    }
  });

  it('a forged fail redirect cannot fail a payment that is already approved', async () => {
    const order = await newOrder();
    await confirmPayment(t.db, t.psp.client(), redirect(await t.psp.approve(order)));
    const after = await recordWindowFailure(t.db, t.psp.client(), { orderId: order.orderId, code: 'PAY_PROCESS_CANCELED', message: 'forged' });
    expect(after.status).toBe('PAID');
    expect((await orderFacts(t.db, order.orderId)).statuses).toEqual(['SUCCESS']);
  });
});
