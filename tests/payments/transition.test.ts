import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentHistory, payments } from '@/db/schema';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { transitionPayment } from '@/lib/payments/transition';
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
