import Link from 'next/link';
import { getTranslations } from 'next-intl/server';

/** The body of a 404, inside whatever frame (shop or dashboard) the address belongs to. */
export async function NotFoundMessage({ home }: { home: string }) {
  const t = await getTranslations('common');
  return (
    <div className="card" style={{ maxWidth: 560 }} data-testid="not-found">
      <h1>{t('notFoundTitle')}</h1>
      <p className="muted">{t('notFoundBody')}</p>
      <Link className="button" href={home}>{t('home')}</Link>
    </div>
  );
}
