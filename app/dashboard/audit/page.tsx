import Link from 'next/link';
import { getLocale, getTranslations } from 'next-intl/server';
import { AuditTable } from '@/components/dashboard/audit-table';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { pageParam } from '@/lib/http/page-param';
import { listAuditLog } from '@/lib/settings/merchant-settings';

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const page = pageParam((await searchParams).page);
  const [log, t, tc, locale] = await Promise.all([withScope((tx) => listAuditLog(tx, merchantId, page)), getTranslations('audit'), getTranslations('common'), getLocale()]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="muted">{t('intro')}</p>
      {log.rows.length === 0 ? <p className="card muted" data-testid="audit-empty">{t('none')}</p> : <AuditTable rows={log.rows} locale={locale} t={t} />}
      <div className="pager">
        {page > 1 && <Link href={`/dashboard/audit?page=${page - 1}`}>{tc('newer')}</Link>}
        <span className="muted">{tc('page', { page })}</span>
        {log.hasMore && <Link href={`/dashboard/audit?page=${page + 1}`}>{tc('older')}</Link>}
      </div>
    </>
  );
}
