import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getLocale, getTranslations } from 'next-intl/server';
import { formatMoney, formatTime } from '@/lib/format';
import { getOrderDetail } from '@/lib/dashboard/get-order-detail';
import { pspErrorText, wordFor } from '@/lib/i18n/words';
import { orderIdSchema } from '@/lib/orders/order-id';
import { orderStatusOf } from '@/lib/payments/get-order-status';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { CancelVirtualAccountForm } from '@/components/dashboard/cancel-virtual-account-form';
import { RefundForm } from '@/components/dashboard/refund-form';

export default async function OrderDetailPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const orderId = orderIdSchema.safeParse((await params).orderId);
  const detail = orderId.success ? await withScope((tx) => getOrderDetail(tx, merchantId, orderId.data)) : null;
  if (!detail) notFound();
  const [t, locale] = await Promise.all([getTranslations('orderDetail'), getLocale()]);
  const { order, items, attempts, virtualAccounts, history, journals, refunds, events, deliveries } = detail;
  const actor = (a: string) => (/^(user|operator):/.test(a) ? a.replace(/^(user|operator):/, '') : wordFor(locale, 'actor', a));
  return (
    <>
      <p><Link href="/dashboard/orders">{t('back')}</Link></p>
      <h1>{order.orderName}</h1>
      <p>
        <span className={`badge ${order.status}`} data-testid="order-status" data-status={order.status}>{wordFor(locale, 'orderStatus', order.status)}</span>{' '}
        <strong>{formatMoney(order.amount, order.currency)}</strong> <span className="muted">· <code>{order.id}</code> · {t('created', { at: formatTime(order.createdAt) })}</span>
      </p>

      <h2>{t('items')}</h2>
      <table>
        <thead><tr><th>{t('product')}</th><th className="num">{t('qty')}</th><th className="num">{t('unitPrice')}</th><th className="num">{t('lineTotal')}</th></tr></thead>
        <tbody>{items.map((i) => (
          <tr key={i.productId} data-testid="order-item"><td>{i.name}</td><td className="num">{i.quantity}</td><td className="num">{formatMoney(i.unitPrice, order.currency)}</td><td className="num">{formatMoney(BigInt(i.unitPrice) * BigInt(i.quantity), order.currency)}</td></tr>
        ))}</tbody>
      </table>

      <h2>{t('timeline')}</h2>
      {attempts.map((p, n) => (
        <div key={p.id} className="card" style={{ marginBottom: 12 }} data-testid="payment-attempt">
          <div className="row">
            <strong>{t('attempt', { n: n + 1, id: p.id })}</strong>
            <span className={`badge ${orderStatusOf(p)}`} data-status={p.status}>{wordFor(locale, 'paymentStatus', p.status)}</span>
          </div>
          <p className="muted" data-testid="payment-method">{t('method', { method: p.method ? wordFor(locale, 'payMethod', p.method) : '—' })}{p.easyPayProvider && ` (${wordFor(locale, 'payMethod', p.easyPayProvider)})`}</p>
          {virtualAccounts.filter((a) => a.paymentId === p.id).map((a) => (
            <p key={a.paymentId} className="muted" data-testid="payment-virtual-account">
              {t('virtualAccount', { bank: a.bankName, number: a.accountNumber, at: formatTime(a.dueAt) })}{a.customerName && ` · ${a.customerName}`}
            </p>
          ))}
          <p className="muted">
            {t('paymentKey', { key: p.pspPaymentKey ?? '—' })}
            {p.failureCode && <> · {t('failure', { reason: pspErrorText(locale, p.failureCode, p.failureMessage) })} <code>{p.failureCode}</code></>}
            {p.refundedAmount > 0n && <> · {t('refunded', { amount: formatMoney(p.refundedAmount, p.currency) })}</>}
          </p>
          {p.needsAttention && <p className="notice error" data-testid="needs-attention">{t('needsAttention', { reason: p.needsAttention })}</p>}
          <ul className="timeline">
            {history.filter((h) => h.paymentId === p.id).map((h) => (
              <li key={String(h.id)} data-testid="timeline-entry" data-event={h.event}>
                <strong>{wordFor(locale, 'paymentEvent', h.event)}</strong>{' '}
                {h.fromStatus && h.toStatus ? `${wordFor(locale, 'paymentStatus', h.fromStatus)} → ${wordFor(locale, 'paymentStatus', h.toStatus)}` : h.toStatus ? wordFor(locale, 'paymentStatus', h.toStatus) : ''}{' '}
                <span className="muted">· {t('by', { actor: actor(h.actor), at: formatTime(h.createdAt) })}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}

      {attempts.filter((p) => p.status === 'SUCCESS' || p.status === 'PARTIALLY_REFUNDED').map((p) => (
        <RefundForm key={p.id} paymentId={p.id} orderId={order.id} refundable={Number(p.amount - p.refundedAmount)} needsAccount={p.method === 'VIRTUAL_ACCOUNT'} />
      ))}
      {attempts.filter((p) => p.status === 'AWAITING_DEPOSIT').map((p) => (
        <CancelVirtualAccountForm key={p.id} paymentId={p.id} orderId={order.id} />
      ))}

      <h2>{t('refunds')}</h2>
      {refunds.length === 0 ? (
        <p className="card muted" data-testid="refunds-empty">{t('noRefunds')}</p>
      ) : (
        <div className="table-wrap"><table>
          <thead><tr><th>{t('refund')}</th><th>{t('status')}</th><th className="num">{t('amount')}</th><th>{t('reason')}</th><th>{t('refundAccount')}</th><th>{t('byCol')}</th><th>{t('at')}</th></tr></thead>
          <tbody>{refunds.map((r) => (
            <tr key={r.id} data-testid="refund-row" data-status={r.status}><td><code>{r.id}</code></td><td><span className={`badge ${r.status}`}>{wordFor(locale, 'refundStatus', r.status)}</span></td><td className="num">{formatMoney(r.amount, r.currency)}</td><td>{r.reason}</td><td data-testid="refund-account">{r.refundAccountMasked ?? '—'}</td><td>{actor(r.requestedBy)}</td><td>{formatTime(r.createdAt)}</td></tr>
          ))}</tbody>
        </table></div>
      )}

      <h2>{t('events')}</h2>
      {events.length === 0 ? (
        <p className="card muted">{t('noEvents')}</p>
      ) : (
        <div className="table-wrap"><table>
          <thead><tr><th>{t('event')}</th><th>{t('type')}</th><th>{t('published')}</th><th>{t('webhookAttempts')}</th></tr></thead>
          <tbody>{events.map((e) => {
            const tries = deliveries.filter((d) => d.eventId === e.eventId);
            return (
              <tr key={String(e.id)} data-testid="event-row"><td><code>{e.eventId}</code></td><td><code>{e.eventType}</code></td><td>{formatTime(e.publishedAt, t('waitingRelay'))}</td>
                <td>{tries.length === 0 ? '—' : tries.map((d) => `#${d.attempt} ${d.error ?? `HTTP ${d.statusCode}`}`).join(', ')}</td></tr>
            );
          })}</tbody>
        </table></div>
      )}

      <h2>{t('journal')}</h2>
      {journals.length === 0 ? (
        <p className="card muted" data-testid="journal-empty">{t('noJournal')}</p>
      ) : (
        <table>
          <thead><tr><th>{t('journal')}</th><th>{t('account')}</th><th className="num">{t('debit')}</th><th className="num">{t('credit')}</th></tr></thead>
          <tbody>
            {journals.flatMap((j) => j.lines.map((l, i) => (
              <tr key={`${j.id}-${i}`} data-testid="journal-line" data-account={l.account}>
                <td>{i === 0 ? <>{wordFor(locale, 'journalKind', j.kind)} · <code>{j.id}</code></> : ''}</td>
                <td>{wordFor(locale, 'account', l.account)}</td>
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
