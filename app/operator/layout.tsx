import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { LogoutButton } from '@/components/auth/logout-button';
import { LocaleSwitch } from '@/components/locale-switch';
import { requireOperatorPage } from '@/lib/auth/operator-context';

export const dynamic = 'force-dynamic';

/** The platform operator's pages: what belongs to no merchant. Logins listed in OPERATOR_EMAILS only. */
export default async function OperatorLayout({ children }: { children: ReactNode }) {
  const { actor } = await requireOperatorPage();
  const t = await getTranslations('nav');
  return (
    <>
      <header className="top">
        <strong>{t('operator')}</strong>
        <nav>
          <Link href="/operator/dead-letters">{t('deadLetters')}</Link>
        </nav>
        <div className="tools">
          <span className="muted" data-testid="operator-name">{actor.replace(/^operator:/, '')}</span>
          <LocaleSwitch />
          <LogoutButton />
        </div>
      </header>
      <main>{children}</main>
    </>
  );
}
