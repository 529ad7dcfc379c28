'use client';

import Link from 'next/link';
import { kstDateTimeOf } from '@/lib/kst';
import { hasOrderFilters, orderSearchQuery, type OrderSearch } from '@/lib/dashboard/order-search-params';
import { formatMoney } from '@/lib/money';
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

  return (
    <>
      <OrderFilters key={orderSearchQuery(search, { page: 1 })} values={search} />
      {isPending ? (
        <p className="card muted" aria-busy="true" data-testid="orders-loading">Loading orders…</p>
      ) : error && !data ? (
        <QueryError what="the orders" error={error} retry={() => void refetch()} testId="orders-error" />
      ) : data && data.total === 0 ? (
        <p className="card muted" data-testid="orders-empty">
          {filtered
            ? <>No orders match these filters. <Link href="/dashboard/orders">Show all orders</Link></>
            : 'No orders yet. They appear here as soon as a shopper checks out.'}
        </p>
      ) : data && (
        <>
          {error && <QueryError what="the latest orders" error={error} retry={() => void refetch()} testId="orders-error" />}
          {data.rows.length === 0 ? (
            <p className="card muted" data-testid="orders-past-end">
              Page {data.page} is past the last page. <Link href={pageHref(search, 1)}>Go to the first page</Link>
            </p>
          ) : (
            <table style={isPlaceholderData ? { opacity: 0.6 } : undefined} aria-busy={isPlaceholderData}>
              <thead><tr><th>Order</th><th>Items</th><th>Status</th><th className="num">Amount</th><th>Created (KST)</th></tr></thead>
              <tbody>
                {data.rows.map((o) => (
                  <tr key={o.orderId} data-testid="order-row" data-order-id={o.orderId} data-status={o.status}>
                    <td><Link href={`/dashboard/orders/${o.orderId}`}>{o.orderId}</Link></td>
                    <td>{o.orderName}</td>
                    <td><span className={`badge ${o.status}`}>{o.status}</span></td>
                    <td className="num">{formatMoney(o.amount, o.currency)}</td>
                    <td className="muted">{kstDateTimeOf(o.createdAt)}</td>
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
