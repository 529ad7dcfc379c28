'use client';

import Link from 'next/link';
import { formatMoney } from '@/lib/money';
import { useOrder } from './use-order';
import { usePayOrder } from './use-pay-order';

/** The checkout page of an existing order: where a shopper lands to (re)try paying. */
export function PayOrder({ orderId, canceled }: { orderId: string; canceled: boolean }) {
  const order = useOrder(orderId);
  const pay = usePayOrder();
  if (order.isPending) return <p className="muted">Loading your order…</p>;
  if (order.isError) return <p className="notice error" role="alert">{order.error.message}</p>;
  const o = order.data;
  return (
    <div className="card" style={{ maxWidth: 520 }}>
      <h1>Checkout</h1>
      {canceled && <p className="notice warn" data-testid="payment-canceled">You cancelled the payment. Nothing was charged; you can pay again below.</p>}
      <div className="row"><span>{o.orderName}</span><strong>{formatMoney(o.amount, o.currency)}</strong></div>
      <p className="muted">Order {o.orderId} · <span data-testid="order-status">{o.status}</span></p>
      {o.status === 'PAID' ? (
        <p className="notice ok">This order is paid. <Link href={`/orders/${o.orderId}`}>See the order</Link></p>
      ) : o.status === 'CONFIRMING' ? (
        <p className="notice warn">We are confirming your payment. <Link href={`/orders/${o.orderId}`}>Follow it here</Link></p>
      ) : (
        <>
          {pay.error && <p className="notice error" role="alert">{pay.error.message}</p>}
          <button data-testid="pay-submit" disabled={pay.isPending || pay.isSuccess} onClick={() => pay.mutate(o.orderId)}>
            {pay.isPending || pay.isSuccess ? 'Opening payment…' : `Pay ${formatMoney(o.amount, o.currency)}`}
          </button>
        </>
      )}
    </div>
  );
}
