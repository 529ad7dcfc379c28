'use client';

import Link from 'next/link';
import { OVERVIEW_DAYS, type OverviewParams } from '@/lib/dashboard/overview-params';
import { formatMoney } from '@/lib/money';
import { CountChart, VolumeChart } from './overview-charts';
import { QueryError } from './query-error';
import { useOverview } from './use-dashboard-queries';

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/** The overview of `/dashboard`: hydrated from the page's server prefetch, refreshed via the API. */
export function OverviewView({ params }: { params: OverviewParams }) {
  const { data, error, isPending, isPlaceholderData, refetch } = useOverview(params);

  return (
    <>
      <nav className="row" style={{ justifyContent: 'flex-start', marginBottom: 16 }} aria-label="Period" data-testid="overview-days">
        <span className="muted">Last</span>
        {OVERVIEW_DAYS.map((d) => (
          d === params.days
            ? <strong key={d} aria-current="page" data-testid={`overview-days-${d}`}>{d} days</strong>
            : <Link key={d} href={d === 30 ? '/dashboard' : `/dashboard?days=${d}`} scroll={false} data-testid={`overview-days-${d}`}>{d} days</Link>
        ))}
        {isPlaceholderData && <span className="muted">Updating…</span>}
      </nav>

      {isPending ? (
        <p className="card muted" aria-busy="true" data-testid="overview-loading">Loading the overview…</p>
      ) : error && !data ? (
        <QueryError what="the overview" error={error} retry={() => void refetch()} testId="overview-error" />
      ) : data && (
        <>
          {error && <QueryError what="the latest figures" error={error} retry={() => void refetch()} testId="overview-error" />}
          <p className="muted">{data.from} – {data.to} (KST days), amounts in {data.currency}.</p>
          <div className="grid">
            <div className="card">
              <div className="muted">Approved volume</div>
              <strong data-testid="overview-volume">{formatMoney(data.approved.amount, data.currency)}</strong>
            </div>
            <div className="card">
              <div className="muted">Approved payments</div>
              <strong data-testid="overview-count">{data.approved.count}</strong>
            </div>
            <div className="card" data-testid="overview-approval-rate">
              <div className="muted">Approval rate</div>
              <strong>{data.approvalRate === null ? '—' : percent(data.approvalRate)}</strong>
              <div className="muted">
                {data.approvalRate === null ? 'no finished attempts' : `${data.approved.count} approved of ${data.approved.count + data.failedCount} finished attempts`}
              </div>
            </div>
            <div className="card" data-testid="overview-refunds">
              <div className="muted">Refunds</div>
              <strong>{data.refunds.count}</strong> · {formatMoney(data.refunds.amount, data.currency)}
            </div>
          </div>

          {data.approved.count + data.failedCount + data.refunds.count === 0 ? (
            <p className="card muted" data-testid="overview-empty">
              No payments yet in the last {data.days} days. Approved payments appear here as soon as shoppers pay.
            </p>
          ) : (
            <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', marginTop: 16 }}>
              <div className="card">
                <h2 style={{ marginTop: 0 }}>Approved volume per day</h2>
                <VolumeChart data={data.series} currency={data.currency} />
              </div>
              <div className="card">
                <h2 style={{ marginTop: 0 }}>Approved payments per day</h2>
                <CountChart data={data.series} />
              </div>
            </div>
          )}

          <h2>Balances</h2>
          {data.balances.length === 0 ? (
            <p className="card muted" data-testid="balances-empty">No accounts yet: they open with the first approved payment.</p>
          ) : (
            <table>
              <thead><tr><th>Account</th><th>Currency</th><th className="num">Balance (debit +, credit −)</th></tr></thead>
              <tbody>
                {data.balances.map((b) => (
                  <tr key={b.accountId} data-testid="balance-row" data-account-code={b.code}>
                    <td>{b.code}</td><td>{b.currency}</td><td className="num">{formatMoney(b.balance, b.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
