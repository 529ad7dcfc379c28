import Link from 'next/link';
import { notFound } from 'next/navigation';
import { formatTime } from '@/lib/format-time';
import { getOrderDetail } from '@/lib/dashboard/get-order-detail';
import { formatMoney } from '@/lib/money';
import { orderIdSchema } from '@/lib/orders/order-id';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { RefundForm } from '@/components/dashboard/refund-form';


export default async function OrderDetailPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const orderId = orderIdSchema.safeParse((await params).orderId);
  const detail = orderId.success ? await withScope((tx) => getOrderDetail(tx, merchantId, orderId.data)) : null;
  if (!detail) notFound();
  const { order, items, attempts, history, journals, refunds, events, deliveries } = detail;
  return (
    <>
      <p><Link href="/dashboard/orders">← Orders</Link></p>
      <h1>{order.orderName}</h1>
      <p>
        <span className={`badge ${order.status}`} data-testid="order-status">{order.status}</span>{' '}
        <strong>{formatMoney(order.amount, order.currency)}</strong> <span className="muted">· {order.id} · created {formatTime(order.createdAt)}</span>
      </p>

      <h2>Items</h2>
      <table>
        <thead><tr><th>Product</th><th className="num">Qty</th><th className="num">Unit price</th></tr></thead>
        <tbody>{items.map((i) => <tr key={i.productId}><td>{i.name}</td><td className="num">{i.quantity}</td><td className="num">{formatMoney(i.unitPrice, order.currency)}</td></tr>)}</tbody>
      </table>

      <h2>Payment timeline</h2>
      {attempts.map((p, n) => (
        <div key={p.id} className="card" style={{ marginBottom: 12 }} data-testid="payment-attempt">
          <div className="row">
            <strong>Attempt {n + 1} · {p.id}</strong>
            <span className={`badge ${p.status}`}>{p.status}</span>
          </div>
          <p className="muted">PSP payment key: {p.pspPaymentKey ?? '—'}{p.failureCode && ` · ${p.failureCode}: ${p.failureMessage}`}{p.refundedAmount > 0n && ` · refunded ${formatMoney(p.refundedAmount, p.currency)}`}</p>
          {p.needsAttention && <p className="notice error" data-testid="needs-attention">Needs attention: {p.needsAttention}</p>}
          <ul className="timeline">
            {history.filter((h) => h.paymentId === p.id).map((h) => (
              <li key={String(h.id)} data-testid="timeline-entry">
                <strong>{h.event}</strong> {h.fromStatus && h.toStatus ? `${h.fromStatus} → ${h.toStatus}` : h.toStatus ?? ''}{' '}
                <span className="muted">by {h.actor} · {formatTime(h.createdAt)}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}

      {attempts.filter((p) => p.status === 'SUCCESS' || p.status === 'PARTIALLY_REFUNDED').map((p) => (
        <RefundForm key={p.id} paymentId={p.id} orderId={order.id} refundable={Number(p.amount - p.refundedAmount)} currency={p.currency} />
      ))}

      <h2>Refunds</h2>
      {refunds.length === 0 ? (
        <p className="card muted" data-testid="refunds-empty">No refunds.</p>
      ) : (
        <table>
          <thead><tr><th>Refund</th><th>Status</th><th className="num">Amount</th><th>Reason</th><th>By</th><th>At</th></tr></thead>
          <tbody>{refunds.map((r) => (
            <tr key={r.id} data-testid="refund-row"><td>{r.id}</td><td><span className={`badge ${r.status}`}>{r.status}</span></td><td className="num">{formatMoney(r.amount, r.currency)}</td><td>{r.reason}</td><td>{r.requestedBy}</td><td>{formatTime(r.createdAt)}</td></tr>
          ))}</tbody>
        </table>
      )}

      <h2>Events and webhook deliveries</h2>
      {events.length === 0 ? (
        <p className="card muted">No events yet.</p>
      ) : (
        <table>
          <thead><tr><th>Event</th><th>Type</th><th>Published</th><th>Webhook attempts</th></tr></thead>
          <tbody>{events.map((e) => {
            const tries = deliveries.filter((d) => d.eventId === e.eventId);
            return (
              <tr key={String(e.id)} data-testid="event-row"><td>{e.eventId}</td><td>{e.eventType}</td><td>{formatTime(e.publishedAt, 'waiting for the relay')}</td>
                <td>{tries.length === 0 ? '—' : tries.map((d) => `#${d.attempt} ${d.error ?? d.statusCode}`).join(', ')}</td></tr>
            );
          })}</tbody>
        </table>
      )}

      <h2>Journal</h2>
      {journals.length === 0 ? (
        <p className="card muted" data-testid="journal-empty">No journal yet: money moves in the books only when a payment is approved.</p>
      ) : (
        <table>
          <thead><tr><th>Journal</th><th>Account</th><th className="num">Debit</th><th className="num">Credit</th></tr></thead>
          <tbody>
            {journals.flatMap((j) => j.lines.map((l, i) => (
              <tr key={`${j.id}-${i}`} data-testid="journal-line">
                <td>{i === 0 ? `${j.kind} · ${j.id}` : ''}</td>
                <td>{l.account}</td>
                <td className="num">{l.amount > 0n ? formatMoney(l.amount, l.currency) : ''}</td>
                <td className="num">{l.amount < 0n ? formatMoney(-l.amount, l.currency) : ''}</td>
              </tr>
            )))}
          </tbody>
        </table>
      )}
    </>
  );
}
