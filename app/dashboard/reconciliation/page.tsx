import { headers } from 'next/headers';
import Link from 'next/link';
import { getLocale, getTranslations } from 'next-intl/server';
import { formatCount, formatTime } from '@/lib/format';
import { wordFor } from '@/lib/i18n/words';
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
  const [runs, t, locale] = await Promise.all([
    withScope((tx) => listReconciliationRuns(tx, merchantId, page)),
    getTranslations('reconciliation'),
    getLocale(),
  ]);
  return (
    <>
      <div className="row">
        <h1>{t('title')}</h1>
        {operator && <form action={reconcileTodayAction}><button type="submit" data-testid="reconcile-now">{t('now')}</button></form>}
      </div>
      <p className="muted">{t('intro')}</p>
      {runs.total === 0 ? (
        <p className="card muted" data-testid="reconciliation-empty">{t('none')}</p>
      ) : (
        <>
          <div className="table-wrap"><table data-testid="reconciliation-runs">
            <thead><tr><th>{t('run')}</th><th>{t('dates')}</th><th>{t('trigger')}</th><th>{t('finished')}</th>{CLASSES.map((c) => <th key={c} className="num">{wordFor(locale, 'reconClass', c)}</th>)}</tr></thead>
            <tbody>
              {runs.rows.map((r) => (
                <tr key={r.id} data-testid="reconciliation-run">
                  {/* The id's tail is enough to tell runs apart; the link and its title carry all of it. */}
                  <td><Link href={`/dashboard/reconciliation/${r.id}`} title={r.id}><code>…{r.id.slice(-8)}</code></Link></td>
                  <td>{r.fromDate === r.toDate ? r.fromDate : `${r.fromDate} – ${r.toDate}`}</td>
                  <td>{wordFor(locale, 'reconTrigger', r.trigger)}</td>
                  <td>{r.error ? <span className="badge FAILURE" title={r.error}>{t('failed')}</span> : formatTime(r.finishedAt, t('running'))}</td>
                  {CLASSES.map((c) => <td key={c} className="num">{formatCount(r.mine[c] ?? 0)}</td>)}
                </tr>
              ))}
            </tbody>
          </table></div>
          <Pager page={runs.page} pageCount={runs.pageCount} total={runs.total} href={(p) => `/dashboard/reconciliation?page=${p}`} />
        </>
      )}
    </>
  );
}
