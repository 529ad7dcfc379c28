'use client';

import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { OVERVIEW_DAYS, type OverviewParams } from '@/lib/dashboard/overview-params';
import { formatCount, formatMoney, formatPercent } from '@/lib/format';
import { wordFor } from '@/lib/i18n/words';
import { CountChart, VolumeChart } from './overview-charts';
import { QueryError } from './query-error';
import { useOverview } from './use-dashboard-queries';


/** The overview of `/dashboard`: hydrated from the page's server prefetch, refreshed via the API. */
export function OverviewView({ params }: { params: OverviewParams }) {
  const { data, error, isPending, isPlaceholderData, refetch } = useOverview(params);
  const t = useTranslations('overview');
  const locale = useLocale();

  return (
    <>
      <nav className="row" style={{ justifyContent: 'flex-start', marginBottom: 16 }} aria-label="Period" data-testid="overview-days">
        <span className="muted">{t('last')}</span>
        {OVERVIEW_DAYS.map((d) => (
          d === params.days
            ? <strong key={d} aria-current="page" data-testid={`overview-days-${d}`}>{t('days', { days: d })}</strong>
            : <Link key={d} href={d === 30 ? '/dashboard' : `/dashboard?days=${d}`} scroll={false} data-testid={`overview-days-${d}`}>{t('days', { days: d })}</Link>
        ))}
        {isPlaceholderData && <span className="muted">{t('updating')}</span>}
      </nav>

      {isPending ? (
        <p className="card muted" aria-busy="true" data-testid="overview-loading">{t('loading')}</p>
      ) : error && !data ? (
        <QueryError what={t('what')} error={error} retry={() => void refetch()} testId="overview-error" />
      ) : data && (
        <>
          {error && <QueryError what={t('whatLatest')} error={error} retry={() => void refetch()} testId="overview-error" />}
          <p className="muted">{t('period', { from: data.from, to: data.to, currency: data.currency })}</p>
          <div className="grid">
            <div className="card">
              <div className="muted">{t('volume')}</div>
              <strong data-testid="overview-volume">{formatMoney(data.approved.amount, data.currency)}</strong>
            </div>
            <div className="card">
              <div className="muted">{t('count')}</div>
              <strong data-testid="overview-count">{formatCount(data.approved.count)}</strong>
            </div>
            <div className="card" data-testid="overview-approval-rate">
              <div className="muted">{t('approvalRate')}</div>
              <strong>{data.approvalRate === null ? '—' : formatPercent(data.approvalRate)}</strong>
              <div className="muted">
                {data.approvalRate === null ? t('approvalRateNone') : t('approvalRateOf', { approved: formatCount(data.approved.count), decided: formatCount(data.approved.count + data.declinedCount) })}
              </div>
              <div className="muted" style={{ fontSize: 12 }}>{t('approvalRateHelp')}</div>
            </div>
            <div className="card" data-testid="overview-refunds">
              <div className="muted">{t('refunds')}</div>
              <strong>{formatCount(data.refunds.count)}</strong> · {formatMoney(data.refunds.amount, data.currency)}
            </div>
          </div>

          {data.approved.count + data.failedCount + data.refunds.count === 0 ? (
            <p className="card muted" data-testid="overview-empty">
              {t('empty', { days: data.days })}
            </p>
          ) : (
            <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', marginTop: 16 }}>
              <div className="card">
                <h2 style={{ marginTop: 0 }}>{t('volumePerDay')}</h2>
                <VolumeChart data={data.series} currency={data.currency} label={t('volumePerDay')} />
              </div>
              <div className="card">
                <h2 style={{ marginTop: 0 }}>{t('countPerDay')}</h2>
                <CountChart data={data.series} label={t('countPerDay')} />
              </div>
            </div>
          )}

          <h2>{t('balances')}</h2>
          {data.balances.length === 0 ? (
            <p className="card muted" data-testid="balances-empty">{t('noAccounts')}</p>
          ) : (
            <table>
              <thead><tr><th>{t('account')}</th><th>{t('currency')}</th><th className="num">{t('balance')}</th></tr></thead>
              <tbody>
                {data.balances.map((b) => (
                  <tr key={b.accountId} data-testid="balance-row" data-account-code={b.code}>
                    <td>{wordFor(locale, 'account', b.code)}</td><td>{b.currency}</td><td className="num">{formatMoney(b.balance, b.currency)}</td>
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
