'use client';

import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';

import { hasOrderFilters, orderSearchQuery, type OrderSearch } from '@/lib/dashboard/order-search-params';
import { formatMoney, formatTime } from '@/lib/format';
import { wordFor } from '@/lib/i18n/words';
import { OrderFilters } from './order-filters';
import { Pager } from './pager';
import { QueryError } from './query-error';
import { useOrderSearch } from './use-dashboard-queries';

const pageHref = (search: OrderSearch, page: number) => {
  const qs = orderSearchQuery(search, { page });
  return qs ? `/dashboard/orders?${qs}` : '/dashboard/orders';
};

/** The orders list of `/dashboard/orders`: hydrated from the page's server prefetch. */
export function OrdersView({ search }: { search: OrderSearch }) {
  const { data, error, isPending, isPlaceholderData, refetch } = useOrderSearch(search);
  const filtered = hasOrderFilters(search);
  const t = useTranslations('orders');
  const locale = useLocale();

  return (
    <>
      <OrderFilters key={orderSearchQuery(search, { page: 1 })} values={search} />
      {isPending ? (
        <p className="card muted" aria-busy="true" data-testid="orders-loading">{t('loading')}</p>
      ) : error && !data ? (
        <QueryError what={t('what')} error={error} retry={() => void refetch()} testId="orders-error" />
      ) : data && data.total === 0 ? (
        <p className="card muted" data-testid="orders-empty">
          {filtered
            ? <>{t('noMatch')} <Link href="/dashboard/orders">{t('showAll')}</Link></>
            : t('none')}
        </p>
      ) : data && (
        <>
          {error && <QueryError what={t('whatLatest')} error={error} retry={() => void refetch()} testId="orders-error" />}
          {data.rows.length === 0 ? (
            <p className="card muted" data-testid="orders-past-end">
              {t('pastEnd', { page: data.page })} <Link href={pageHref(search, 1)}>{t('firstPage')}</Link>
            </p>
          ) : (
            <table style={isPlaceholderData ? { opacity: 0.6 } : undefined} aria-busy={isPlaceholderData}>
              <thead><tr><th>{t('order')}</th><th>{t('items')}</th><th>{t('status')}</th><th>{t('method')}</th><th className="num">{t('amount')}</th><th>{t('created')}</th></tr></thead>
              <tbody>
                {data.rows.map((o) => (
                  <tr key={o.orderId} data-testid="order-row" data-order-id={o.orderId} data-status={o.status}>
                    <td><Link href={`/dashboard/orders/${o.orderId}`}>{o.orderId}</Link></td>
                    <td>{o.orderName}</td>
                    <td>
                      <span className={`badge ${o.status}`}>{wordFor(locale, 'orderStatus', o.status)}</span>
                      {o.depositDueAt && <div className="muted" data-testid="order-deposit-due">{t('due', { at: formatTime(o.depositDueAt) })}</div>}
                    </td>
                    <td data-testid="order-method" data-method={o.method ?? ''}>{o.method ? wordFor(locale, 'payMethod', o.method) : '—'}</td>
                    <td className="num">{formatMoney(o.amount, o.currency)}</td>
                    <td className="muted">{formatTime(o.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager page={data.page} pageCount={data.pageCount} total={data.total} href={(p) => pageHref(search, p)} />
        </>
      )}
    </>
  );
}
