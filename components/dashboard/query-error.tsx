'use client';

import { useTranslations } from 'next-intl';

/** The error state of a dashboard query: the API's own message, and a way to try again. */
export function QueryError({ what, error, retry, testId }: { what: string; error: Error; retry: () => void; testId: string }) {
  const t = useTranslations('common');
  return (
    <div className="notice error" role="alert" data-testid={testId}>
      {t('queryError', { what, message: error.message })}{' '}
      <button type="button" className="secondary" onClick={retry}>{t('tryAgain')}</button>
    </div>
  );
}
