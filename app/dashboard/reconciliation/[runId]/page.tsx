import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Pager } from '@/components/dashboard/pager';
import { listReconciliationItems } from '@/lib/dashboard/reconciliation-views';
import { pageParam } from '@/lib/http/page-param';
import { requireMerchantPage } from '@/lib/auth/merchant-context';

export default async function ReconciliationRunPage({ params, searchParams }: { params: Promise<{ runId: string }>; searchParams: Promise<{ page?: string; all?: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const { runId } = await params;
  const q = await searchParams;
  const mismatchesOnly = q.all !== '1';
  const result = /^rcn_[0-9a-f]{32}$/.test(runId) ? await withScope((tx) => listReconciliationItems(tx, merchantId, runId, { mismatchesOnly, page: pageParam(q.page) })) : null;
  if (!result) notFound();
  const { run, items } = result;
  return (
    <>
      <p><Link href="/dashboard/reconciliation">← Reconciliation</Link></p>
      <h1>Run {run.id}</h1>
      <p className="muted">{run.fromDate} – {run.toDate} · {run.trigger}{run.error && ` · failed: ${run.error}`}</p>
      <p>{mismatchesOnly ? <Link href={`?all=1`}>Show matched payments too</Link> : <Link href="?">Show mismatches only</Link>}</p>
      {items.total === 0 ? (
        <p className="card muted" data-testid="reconciliation-items-empty">{mismatchesOnly ? 'No mismatches for your payments in this run.' : 'None of your payments were in this run.'}</p>
      ) : (
        <>
          <table>
            <thead><tr><th>Class</th><th>Order</th><th>Payment</th><th>What differs</th></tr></thead>
            <tbody>
              {items.rows.map((i) => (
                <tr key={String(i.id)} data-testid="reconciliation-item">
                  <td><span className={`badge ${i.classification === 'MATCHED' ? 'SUCCESS' : 'FAILURE'}`}>{i.classification}</span></td>
                  <td>{i.orderId ? <Link href={`/dashboard/orders/${i.orderId}`}>{i.orderId}</Link> : '—'}</td>
                  <td>{i.paymentId ?? i.pspPaymentKey}</td>
                  <td>{i.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={items.page} pageCount={items.pageCount} total={items.total} href={(p) => `?page=${p}${mismatchesOnly ? '' : '&all=1'}`} />
        </>
      )}
    </>
  );
}
