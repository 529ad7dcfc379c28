import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getLocale, getTranslations } from 'next-intl/server';
import { Pager } from '@/components/dashboard/pager';
import { listReconciliationItems } from '@/lib/dashboard/reconciliation-views';
import { reconReasonText, wordFor } from '@/lib/i18n/words';
import { pageParam } from '@/lib/http/page-param';
import { requireMerchantPage } from '@/lib/auth/merchant-context';

export default async function ReconciliationRunPage({ params, searchParams }: { params: Promise<{ runId: string }>; searchParams: Promise<{ page?: string; all?: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const { runId } = await params;
  const q = await searchParams;
  const mismatchesOnly = q.all !== '1';
  const result = /^rcn_[0-9a-f]{32}$/.test(runId) ? await withScope((tx) => listReconciliationItems(tx, merchantId, runId, { mismatchesOnly, page: pageParam(q.page) })) : null;
  if (!result) notFound();
  const [t, locale] = await Promise.all([getTranslations('reconciliation'), getLocale()]);
  const { run, items } = result;
  return (
    <>
      <p><Link href="/dashboard/reconciliation">{t('back')}</Link></p>
      <h1>{t('runTitle', { id: run.id })}</h1>
      <p className="muted">{run.fromDate} – {run.toDate} · {wordFor(locale, 'reconTrigger', run.trigger)}{run.error && ` · ${t('runFailed', { error: run.error })}`}</p>
      <p>{mismatchesOnly ? <Link href={`?all=1`}>{t('showAll')}</Link> : <Link href="?">{t('showMismatches')}</Link>}</p>
      {items.total === 0 ? (
        <p className="card muted" data-testid="reconciliation-items-empty">{mismatchesOnly ? t('noMismatches') : t('noItems')}</p>
      ) : (
        <>
          <div className="table-wrap"><table>
            <thead><tr><th>{t('class')}</th><th>{t('order')}</th><th>{t('payment')}</th><th>{t('differs')}</th></tr></thead>
            <tbody>
              {items.rows.map((i) => (
                <tr key={String(i.id)} data-testid="reconciliation-item" data-class={i.classification}>
                  <td><span className={`badge ${i.classification === 'MATCHED' ? 'SUCCESS' : 'FAILURE'}`}>{wordFor(locale, 'reconClass', i.classification)}</span></td>
                  <td>{i.orderId ? <Link href={`/dashboard/orders/${i.orderId}`}><code>{i.orderId}</code></Link> : '—'}</td>
                  <td><code>{i.paymentId ?? i.pspPaymentKey}</code></td>
                  <td className="wrap" data-testid="reconciliation-reason">{i.reason ? reconReasonText(locale, i.reason) : i.detail}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
          <Pager page={items.page} pageCount={items.pageCount} total={items.total} href={(p) => `?page=${p}${mismatchesOnly ? '' : '&all=1'}`} />
        </>
      )}
    </>
  );
}
