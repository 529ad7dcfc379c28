'use client';

import Link from 'next/link';
import { formatMoney } from '@/lib/money';
import { useOrder } from './use-order';

const HEADLINE = {
  PAID: 'Thank you, your order is paid.',
  CONFIRMING: 'We are confirming your payment. This page updates by itself.',
  PAYMENT_FAILED: 'The payment did not go through. Nothing was charged.',
  AWAITING_PAYMENT: 'This order is waiting for payment.',
  PARTIALLY_REFUNDED: 'Your order is paid; part of it has been refunded.',
  REFUNDED: 'Your payment has been refunded in full.',
} as const;

export function OrderStatus({ orderId }: { orderId: string }) {
  const order = useOrder(orderId);
  if (order.isPending) return <p className="muted">Loading your order…</p>;
  if (order.isError) return <p className="notice error" role="alert">{order.error.message}</p>;
  const o = order.data;
  const tone = o.status === 'PAID' || o.status === 'PARTIALLY_REFUNDED' || o.status === 'REFUNDED' ? 'ok' : o.status === 'PAYMENT_FAILED' ? 'error' : 'warn';
  return (
    <div className="card" style={{ maxWidth: 560 }}>
      <h1>Your order</h1>
      <p className={`notice ${tone}`}>{HEADLINE[o.status]}</p>
      <div className="row"><span>{o.orderName}</span><strong>{formatMoney(o.amount, o.currency)}</strong></div>
      <p className="muted">Order {o.orderId} · status <span className={`badge ${o.status}`} data-testid="order-status">{o.status}</span></p>
      {o.payment?.failure && <p className="muted">{o.payment.failure.message} ({o.payment.failure.code})</p>}
      {(o.status === 'PAYMENT_FAILED' || o.status === 'AWAITING_PAYMENT') && (
        <Link className="button" data-testid="retry-payment" href={`/checkout/${encodeURIComponent(o.orderId)}`}>Pay now</Link>
      )}
      {o.status === 'PAID' && <Link href="/">Continue shopping</Link>}
    </div>
  );
}
