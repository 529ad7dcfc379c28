import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceProjection } from '@/lib/consumers/balance-projection';
import { checkBalanceProjection } from '@/lib/consumers/projection-check';
import { runConsumer } from '@/lib/consumers/run-consumer';
import { createPlainProducer, createTransactionalProducer } from '@/lib/kafka/client';
import { newId } from '@/lib/ids';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { createIsolatedDatabase } from '../helpers/db';
import { createShop } from '../helpers/fixtures';
import { collectTopic, sharedKafka, testKafka, TEST_TIMINGS, waitFor } from '../helpers/kafka';
import { startSandbox, type SandboxUnderTest } from '../helpers/psp';

const log = pino({ level: 'silent' });
let brokers: string[];
let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let psp: SandboxUnderTest;

beforeAll(async () => {
  brokers = await sharedKafka();
  database = await createIsolatedDatabase();
  psp = await startSandbox(database.db);
});
afterAll(async () => {
  await psp.close();
  await database.close();
});

describe('from approval to Kafka', () => {
  it('approving a payment puts PaymentApproved on the topic within seconds, keyed by payment id', { timeout: 60_000 }, async () => {
    const kafka = testKafka(brokers);
    const observer = await collectTopic(kafka);
    const relay = createOutboxRelay({
      database, log, batchSize: 100, idlePollMs: 1_000, // a slow poll: the NOTIFY must wake it
      connectProducer: async () => {
        const p = createTransactionalProducer(kafka, 'relay-approval');
        await p.connect();
        return p;
      },
    });
    await relay.start();
    try {
      const shop = await createShop(database.db);
      const order = await createOrder(database.db, { items: [{ productId: shop.productIds[0], quantity: 2 }], checkoutKey: newId('cfm') });
      const result = await confirmPayment(database.db, psp.client(), successRedirectSchema.parse(await psp.approve(order)));
      expect(result.status).toBe('PAID');
      const approvedAt = Date.now();
      const message = await waitFor('PaymentApproved on the topic', () => observer.messages.find((m) => m.value.orderId === order.orderId), 20_000, 20);
      const latencyMs = Date.now() - approvedAt;
      expect(latencyMs).toBeLessThan(20_000);
      expect(message.key).toBe(result.payment!.id);
      expect(message.value).toMatchObject({
        type: 'PaymentApproved', version: 1, merchantId: shop.merchantId, paymentId: result.payment!.id,
        orderId: order.orderId, amount: 30_000, currency: 'KRW', platformFee: 750,
      });
    } finally {
      await relay.stop();
      await observer.stop();
    }
  });

  it('the balance projection built from the events equals the ledger', { timeout: 90_000 }, async () => {
    const kafka = testKafka(brokers);
    const shop = await createShop(database.db, { feeBps: 330 });
    for (let i = 0; i < 12; i++) {
      const order = await createOrder(database.db, { items: [{ productId: shop.productIds[i % 3]!, quantity: 1 + (i % 4) }], checkoutKey: newId('cfm') });
      const headers = i % 4 === 3 ? { 'TossPayments-Test-Code': 'REJECT_CARD_PAYMENT' } : undefined; // some declines too
      await confirmPayment(database.db, psp.client({ headers }), successRedirectSchema.parse(await psp.approve(order)));
    }
    const relay = createOutboxRelay({
      database, log, batchSize: 100, idlePollMs: 50,
      connectProducer: async () => {
        const p = createTransactionalProducer(kafka, 'relay-projection');
        await p.connect();
        return p;
      },
    });
    const producer = createPlainProducer(kafka);
    await producer.connect();
    const projection = runConsumer({ kafka, spec: balanceProjection(database.db), producer, timings: TEST_TIMINGS, log });
    await Promise.all([relay.start(), projection.start()]);
    try {
      expect((await checkBalanceProjection(database.db, shop.merchantId)).length).toBe(1); // not yet projected
      await waitFor('projection equal to the ledger', async () => (await checkBalanceProjection(database.db, shop.merchantId)).length === 0, 60_000, 200);
    } finally {
      await Promise.all([relay.stop(), projection.stop()]);
      await producer.disconnect();
    }
    expect(await checkBalanceProjection(database.db)).toEqual([]);
  });
});
