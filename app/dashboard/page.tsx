import Link from 'next/link';
import { db } from '@/db';
import { Pager } from '@/components/dashboard/pager';
import { listOrders } from '@/lib/dashboard/list-orders';
import { pageParam } from '@/lib/http/page-param';
import { formatMoney } from '@/lib/money';
import { requireMerchantPage } from '@/lib/auth/merchant-context';

export default async function OrdersPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const { merchantId } = await requireMerchantPage();
  const page = pageParam((await searchParams).page);
  const result = await listOrders(db(), merchantId, page);
  return (
    <>
      <h1>Orders</h1>
      {result.total === 0 ? (
        <p className="card muted" data-testid="orders-empty">No orders yet. They appear here as soon as a shopper checks out.</p>
      ) : (
        <>
          <table>
            <thead><tr><th>Order</th><th>Items</th><th>Status</th><th className="num">Amount</th><th>Created</th></tr></thead>
            <tbody>
              {result.rows.map((o) => (
                <tr key={o.orderId} data-testid="order-row" data-order-id={o.orderId}>
                  <td><Link href={`/dashboard/orders/${o.orderId}`}>{o.orderId}</Link></td>
                  <td>{o.orderName}</td>
                  <td><span className={`badge ${o.status}`}>{o.status}</span></td>
                  <td className="num">{formatMoney(o.amount, o.currency)}</td>
                  <td className="muted">{o.createdAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={result.page} pageCount={result.pageCount} total={result.total} href={(p) => `/dashboard?page=${p}`} />
        </>
      )}
    </>
  );
}
