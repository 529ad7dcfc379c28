import { pg, type DbOrTx } from '@/db/client';
import type { PaymentStatus, PayMethod } from '@/db/schema';
import { bankName } from './banks';
import { notFound } from '@/lib/errors';
import { PAYMENT_COLUMNS, toPayment, type Payment } from './state-machine';

/** What the shopper is told about an order; derived from its payment attempts, never stored. */
export type OrderStatus = 'AWAITING_PAYMENT' | 'CONFIRMING' | 'AWAITING_DEPOSIT' | 'PAID' | 'PAYMENT_FAILED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';

/** What the shopper needs to pay into a virtual account. Never the PSP's secret. */
export interface VirtualAccountView {
  bankCode: string;
  bankName: string;
  accountNumber: string;
  /** ISO instant; shown in Korean time. */
  dueAt: string;
}

/**
 * The public view of an order (anyone with the orderId may read it). It never carries the
 * paymentKey: a key is what a confirm is made with, and a leaked one could be replayed.
 */
export interface OrderStatusView {
  orderId: string;
  status: OrderStatus;
  amount: number;
  currency: string;
  orderName: string;
  payment: { id: string; status: PaymentStatus; method: PayMethod | null; failure: { code: string; message: string } | null } | null;
  /** The account to pay into, while the order awaits its deposit. */
  virtualAccount?: VirtualAccountView | null;
}

export interface OrderRow {
  id: string;
  merchantId: string;
  amount: bigint;
  currency: string;
  orderName: string;
}

export function orderStatusOf(payment: { status: PaymentStatus } | undefined): OrderStatus {
  switch (payment?.status) {
    case 'SUCCESS': return 'PAID';
    case 'PARTIALLY_REFUNDED': return 'PARTIALLY_REFUNDED';
    case 'REFUNDED': return 'REFUNDED';
    case 'EXECUTING':
    case 'UNKNOWN': return 'CONFIRMING';
    case 'AWAITING_DEPOSIT': return 'AWAITING_DEPOSIT';
    case 'FAILURE': return 'PAYMENT_FAILED';
    default: return 'AWAITING_PAYMENT';
  }
}

/** The attempt that speaks for the order: the live one if any, else the latest failed one. */
export function currentAttempt<P extends { status: PaymentStatus; createdAt: Date }>(attempts: P[]): P | undefined {
  return attempts.find((p) => p.status !== 'FAILURE') ?? [...attempts].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

/**
 * The order with all its attempts, newest first, in one prepared round trip: this answers every
 * step of the pay flow (request, confirm, fail, status). Null when there is no such order.
 */
export async function readOrder(db: DbOrTx, orderId: string): Promise<{ order: OrderRow; attempts: Payment[] } | null> {
  const sql = pg(db);
  const rows = await sql<(Payment & { oId: string; oMerchantId: string; oAmount: bigint; oCurrency: string; oOrderName: string })[]>`
    select o.id as "oId", o.merchant_id as "oMerchantId", o.amount as "oAmount", o.currency as "oCurrency", o.order_name as "oOrderName",
           ${sql.unsafe(PAYMENT_COLUMNS)}
    from orders o left join payments p on p.order_id = o.id
    where o.id = ${orderId}
    order by p.created_at desc`;
  const first = rows[0];
  if (!first) return null;
  const order: OrderRow = { id: first.oId, merchantId: first.oMerchantId, amount: first.oAmount, currency: first.oCurrency, orderName: first.oOrderName };
  const attempts = rows.filter((r) => r.id !== null).map(({ oId: _a, oMerchantId: _b, oAmount: _c, oCurrency: _d, oOrderName: _e, ...p }) => toPayment(p));
  return { order, attempts };
}

/** The view of an order from what the caller already holds (nothing is read again). */
export function orderStatusView(order: OrderRow, attempts: Payment[]): OrderStatusView {
  const p = currentAttempt(attempts);
  return {
    orderId: order.id,
    status: orderStatusOf(p),
    amount: Number(order.amount),
    currency: order.currency,
    orderName: order.orderName,
    payment: p
      ? { id: p.id, status: p.status, method: p.method, failure: p.failureCode ? { code: p.failureCode, message: p.failureMessage ?? '' } : null }
      : null,
  };
}

export async function getOrderStatus(db: DbOrTx, orderId: string): Promise<OrderStatusView> {
  const found = await readOrder(db, orderId);
  if (!found) throw notFound('The order');
  const view = orderStatusView(found.order, found.attempts);
  // Only an order awaiting its deposit costs the second read.
  if (view.status === 'AWAITING_DEPOSIT' && view.payment) view.virtualAccount = await readVirtualAccount(db, view.payment.id);
  return view;
}

async function readVirtualAccount(db: DbOrTx, paymentId: string): Promise<VirtualAccountView | null> {
  const [va] = await pg(db)<{ bankCode: string; accountNumber: string; dueAt: string }[]>`
    select bank_code as "bankCode", account_number as "accountNumber", due_at::text as "dueAt" from virtual_accounts where payment_id = ${paymentId}`;
  return va ? { bankCode: va.bankCode, bankName: bankName(va.bankCode), accountNumber: va.accountNumber, dueAt: new Date(va.dueAt).toISOString() } : null;
}

/** The attempts with one of them replaced by its moved version (after a transition we made). */
export function withMoved(attempts: Payment[], moved: Payment): Payment[] {
  return attempts.some((a) => a.id === moved.id) ? attempts.map((a) => (a.id === moved.id ? moved : a)) : [moved, ...attempts];
}
