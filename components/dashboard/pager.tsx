import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { formatCount } from '@/lib/format';

export function Pager({ page, pageCount, total, href }: { page: number; pageCount: number; total: number; href: (page: number) => string }) {
  const t = useTranslations('common');
  return (
    <div className="pager" data-testid="pager">
      {page > 1 ? <Link href={href(page - 1)}>{t('newer')}</Link> : <span className="muted">{t('newer')}</span>}
      <span className="muted">{t('pageOf', { page, pageCount, total: formatCount(total) })}</span>
      {page < pageCount ? <Link href={href(page + 1)}>{t('older')}</Link> : <span className="muted">{t('older')}</span>}
    </div>
  );
}
