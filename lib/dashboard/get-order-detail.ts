import { and, asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { journalLines, journals, ledgerAccounts, orderItems, orders, paymentHistory, payments, products, refunds, virtualAccounts, webhookDeliveries, outbox } from '@/db/schema';
import { bankName } from '@/lib/payments/banks';
import { currentAttempt, orderStatusOf } from '@/lib/payments/get-order-status';

/**
 * One order as the merchant sees it: items, every payment attempt with its timeline, and the
 * journals posted for it. Returns null for an order that does not exist or is another merchant's
 * (the two look the same).
 */
export async function getOrderDetail(db: DbOrTx, merchantId: string, orderId: string) {
  const [order] = await db.select().from(orders).where(and(eq(orders.id, orderId), eq(orders.merchantId, merchantId)));
  if (!order) return null;
  const items = await db.select({ productId: orderItems.productId, name: products.name, quantity: orderItems.quantity, unitPrice: orderItems.unitPrice })
    .from(orderItems).innerJoin(products, eq(products.id, orderItems.productId)).where(eq(orderItems.orderId, orderId));
  const attempts = await db.select().from(payments).where(and(eq(payments.orderId, orderId), eq(payments.merchantId, merchantId))).orderBy(asc(payments.createdAt));
  const paymentIds = attempts.map((p) => p.id);
  const history = paymentIds.length
    ? await db.select().from(paymentHistory).where(inArray(paymentHistory.paymentId, paymentIds)).orderBy(asc(paymentHistory.id))
    : [];
  const journalRows = paymentIds.length
    ? await db.select().from(journals).where(and(eq(journals.merchantId, merchantId), inArray(journals.paymentId, paymentIds))).orderBy(asc(journals.createdAt))
    : [];
  const lines = journalRows.length
    ? await db.select({ journalId: journalLines.journalId, account: ledgerAccounts.code, amount: journalLines.amount, currency: journalLines.currency })
        .from(journalLines).innerJoin(ledgerAccounts, eq(ledgerAccounts.id, journalLines.accountId))
        .where(inArray(journalLines.journalId, journalRows.map((j) => j.id))).orderBy(asc(journalLines.id))
    : [];
  // Never the secret's digest: the merchant needs the account, not the proof.
  const accounts = paymentIds.length
    ? await db.select({ paymentId: virtualAccounts.paymentId, bankCode: virtualAccounts.bankCode, accountNumber: virtualAccounts.accountNumber, customerName: virtualAccounts.customerName, dueAt: virtualAccounts.dueAt })
        .from(virtualAccounts).where(and(eq(virtualAccounts.merchantId, merchantId), inArray(virtualAccounts.paymentId, paymentIds)))
    : [];
  const refundRows = paymentIds.length ? await db.select().from(refunds).where(inArray(refunds.paymentId, paymentIds)).orderBy(asc(refunds.createdAt)) : [];
  const events = paymentIds.length
    ? await db.select({ id: outbox.id, eventId: outbox.eventId, eventType: outbox.eventType, createdAt: outbox.createdAt, publishedAt: outbox.publishedAt })
        .from(outbox).where(and(eq(outbox.merchantId, merchantId), inArray(outbox.aggregateId, paymentIds))).orderBy(asc(outbox.id))
    : [];
  const deliveries = events.length
    ? await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.merchantId, merchantId), inArray(webhookDeliveries.eventId, events.map((e) => e.eventId)))).orderBy(asc(webhookDeliveries.id))
    : [];
  return {
    order: { ...order, status: orderStatusOf(currentAttempt(attempts)) },
    items,
    attempts,
    virtualAccounts: accounts.map((a) => ({ ...a, bankName: bankName(a.bankCode) })),
    history,
    // The sealed refund account stays in the database; people see it masked.
    refunds: refundRows.map(({ refundAccountSealed: _sealed, ...r }) => r),
    events,
    deliveries,
    journals: journalRows.map((j) => ({ ...j, lines: lines.filter((l) => l.journalId === j.id) })),
  };
}
export type OrderDetail = NonNullable<Awaited<ReturnType<typeof getOrderDetail>>>;
