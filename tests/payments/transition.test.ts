import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentHistory, payments } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { allowedEdges, transitionPayment } from '@/lib/payments/state-machine';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';

const { db } = testDatabase();
let shop: TestShop;

beforeAll(async () => {
  shop = await createShop(db);
});
afterAll(closeTestDatabase);

async function newPaymentId(): Promise<string> {
  const order = await createOrder(db, { items: [{ productId: shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
  const [p] = await db.select().from(payments).where(eq(payments.orderId, order.orderId));
  return p!.id;
}

describe('payment transitions are conditional', () => {
  it('of ten concurrent NOT_STARTED → EXECUTING transitions exactly one wins', async () => {
    const paymentId = await newPaymentId();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      db.transaction((tx) => transitionPayment(tx, { paymentId, from: ['NOT_STARTED'], to: 'EXECUTING', event: 'CONFIRM_STARTED', actor: `racer-${i}`, set: { pspPaymentKey: `key-${paymentId}` } })),
    ));
    expect(results.filter(Boolean)).toHaveLength(1);
    const history = await db.select().from(paymentHistory).where(eq(paymentHistory.paymentId, paymentId));
    expect(history.filter((h) => h.event === 'CONFIRM_STARTED')).toHaveLength(1);
  });

  it('a transition from a state the payment is not in changes nothing and writes no history', async () => {
    const paymentId = await newPaymentId();
    const moved = await db.transaction((tx) => transitionPayment(tx, { paymentId, from: ['EXECUTING', 'UNKNOWN'], to: 'SUCCESS', event: 'APPROVED', actor: 'test' }));
    expect(moved).toBeNull();
    const [p] = await db.select().from(payments).where(eq(payments.id, paymentId));
    expect(p!.status).toBe('NOT_STARTED');
    const history = await db.select().from(paymentHistory).where(eq(paymentHistory.paymentId, paymentId));
    expect(history.map((h) => h.event)).toEqual(['CREATED']);
  });

  it('records the state it actually left when several were allowed', async () => {
    const paymentId = await newPaymentId();
    await db.transaction((tx) => transitionPayment(tx, { paymentId, from: ['NOT_STARTED'], to: 'EXECUTING', event: 'CONFIRM_STARTED', actor: 'test' }));
    await db.transaction((tx) => transitionPayment(tx, { paymentId, from: ['EXECUTING'], to: 'UNKNOWN', event: 'CONFIRM_OUTCOME_UNKNOWN', actor: 'test' }));
    await db.transaction((tx) => transitionPayment(tx, { paymentId, from: ['EXECUTING', 'UNKNOWN'], to: 'FAILURE', event: 'DECLINED', actor: 'test' }));
    const history = await db.select().from(paymentHistory).where(eq(paymentHistory.paymentId, paymentId)).orderBy(paymentHistory.id);
    expect(history.map((h) => [h.fromStatus, h.toStatus])).toEqual([[null, 'NOT_STARTED'], ['NOT_STARTED', 'EXECUTING'], ['EXECUTING', 'UNKNOWN'], ['UNKNOWN', 'FAILURE']]);
  });
});

describe('the state machine is enforced by the database', () => {
  it('the database allows exactly the edges of the state table', async () => {
    const rows = await db.execute<{ from_status: string; to_status: string }>(sql`select from_status::text, to_status::text from payment_transitions`);
    const inDb = [...rows].map((r) => `${r.from_status}>${r.to_status}`).sort();
    expect(inDb).toEqual(allowedEdges().map(([f, t]) => `${f}>${t}`).sort());
  });

  it('an UPDATE of a payment to a state its table does not allow is refused, one it allows is accepted', async () => {
    const paymentId = await newPaymentId();
    await expect(db.execute(sql`update payments set status = 'SUCCESS' where id = ${paymentId}`)).rejects.toMatchObject({ cause: { code: '23514', constraint_name: 'payment_transition' } });
    await expect(db.execute(sql`update payments set status = 'REFUNDED' where id = ${paymentId}`)).rejects.toThrow();
    await db.execute(sql`update payments set status = 'FAILURE' where id = ${paymentId}`);
    await expect(db.execute(sql`update payments set status = 'NOT_STARTED' where id = ${paymentId}`)).rejects.toMatchObject({ cause: { code: '23514' } });
    const [p] = await db.select().from(payments).where(eq(payments.id, paymentId));
    expect(p!.status).toBe('FAILURE');
  });

  it('a payment cannot be created in a later state', async () => {
    const paymentId = await newPaymentId();
    await expect(db.execute(sql`insert into payments (id, order_id, merchant_id, amount, currency, status, confirm_idempotency_key)
      select 'pay_forged', order_id, merchant_id, amount, currency, 'SUCCESS', 'cfm_forged' from payments where id = ${paymentId}`)).rejects.toMatchObject({ cause: { code: '23514' } });
  });

  it('the transition function refuses an event from a state the table does not list for it', async () => {
    const paymentId = await newPaymentId();
    await expect(transitionPayment(db, { paymentId, event: 'CONFIRM_OUTCOME_UNKNOWN', from: ['NOT_STARTED'] as never, actor: 'test' })).rejects.toThrow(/cannot leave NOT_STARTED/);
    await expect(transitionPayment(db, { paymentId, event: 'REFUNDED', actor: 'test', to: 'FAILURE' as never })).rejects.toThrow(/cannot enter FAILURE/);
  });

  it('an attention flag goes through the machine: once, with its history row, without moving the state', async () => {
    const paymentId = await newPaymentId();
    const first = await transitionPayment(db, { paymentId, event: 'NEEDS_ATTENTION', actor: 'test', set: { needsAttention: 'look' }, detail: { reason: 'look' } });
    const second = await transitionPayment(db, { paymentId, event: 'NEEDS_ATTENTION', actor: 'test', set: { needsAttention: 'again' }, detail: { reason: 'again' } });
    expect(first?.needsAttention).toBe('look');
    expect(first?.status).toBe('NOT_STARTED');
    expect(first?.createdAt).toBeInstanceOf(Date); // raw statements return timestamps as text under drizzle's driver
    expect(second).toBeNull();
    const history = await db.select().from(paymentHistory).where(eq(paymentHistory.paymentId, paymentId)).orderBy(paymentHistory.id);
    expect(history.map((h) => [h.event, h.fromStatus, h.toStatus])).toEqual([['CREATED', null, 'NOT_STARTED'], ['NEEDS_ATTENTION', null, null]]);
  });
});
