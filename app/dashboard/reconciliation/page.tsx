import { headers } from 'next/headers';
import Link from 'next/link';
import { formatTime } from '@/lib/format-time';
import { Pager } from '@/components/dashboard/pager';
import { listReconciliationRuns } from '@/lib/dashboard/reconciliation-views';
import { pageParam } from '@/lib/http/page-param';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { operatorFromHeaders } from '@/lib/auth/operator-context';
import { reconcileTodayAction } from './actions';

const CLASSES = ['MATCHED', 'MISSING_OURS', 'MISSING_AT_PSP', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH'] as const;

export default async function ReconciliationPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const operator = await operatorFromHeaders(await headers());
  const page = pageParam((await searchParams).page);
  const runs = await withScope((tx) => listReconciliationRuns(tx, merchantId, page));
  return (
    <>
      <div className="row">
        <h1>Reconciliation</h1>
        {operator && <form action={reconcileTodayAction}><button type="submit" data-testid="reconcile-now">Reconcile today now</button></form>}
      </div>
      <p className="muted">Each run compares the PSP&apos;s settlements and payment states with our payments and ledger. Mismatches are reported, never silently fixed. A daily run covers yesterday; operators run it (npm run reconcile).</p>
      {runs.total === 0 ? (
        <p className="card muted" data-testid="reconciliation-empty">No reconciliation has run yet.</p>
      ) : (
        <>
          <table>
            <thead><tr><th>Run</th><th>Dates (KST)</th><th>Trigger</th><th>Finished</th>{CLASSES.map((c) => <th key={c} className="num">{c}</th>)}</tr></thead>
            <tbody>
              {runs.rows.map((r) => (
                <tr key={r.id} data-testid="reconciliation-run">
                  <td><Link href={`/dashboard/reconciliation/${r.id}`}>{r.id}</Link></td>
                  <td>{r.fromDate === r.toDate ? r.fromDate : `${r.fromDate} – ${r.toDate}`}</td>
                  <td>{r.trigger}</td>
                  <td>{r.error ? <span className="badge FAILURE" title={r.error}>failed</span> : formatTime(r.finishedAt, 'running…')}</td>
                  {CLASSES.map((c) => <td key={c} className="num">{r.mine[c] ?? 0}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={runs.page} pageCount={runs.pageCount} total={runs.total} href={(p) => `/dashboard/reconciliation?page=${p}`} />
        </>
      )}
    </>
  );
}
