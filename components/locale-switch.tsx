'use client';

import { useLocale, useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { LOCALES, localeCookie } from '@/lib/i18n/locale';

/**
 * The language switch on every page: sets the cookie and re-renders the page in place (server
 * components read the cookie on the refresh, client components get the new messages with it).
 */
export function LocaleSwitch() {
  const locale = useLocale();
  const t = useTranslations('common');
  const router = useRouter();
  return (
    <div className="locale-switch" role="group" aria-label={t('language')} data-testid="locale-switch">
      {LOCALES.map((l) => (
        <button key={l} type="button" lang={l} className={l === locale ? 'active' : 'secondary'} aria-pressed={l === locale} data-testid={`locale-${l}`}
          onClick={() => {
            if (l === locale) return;
            document.cookie = localeCookie(l);
            router.refresh();
          }}>
          {t(l)}
        </button>
      ))}
    </div>
  );
}
