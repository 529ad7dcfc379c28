import { eq } from 'drizzle-orm';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { db } from '@/db';
import { merchants } from '@/db/schema';
import { LogoutButton } from '@/components/auth/logout-button';
import { LocaleSwitch } from '@/components/locale-switch';
import { SystemHealthBanner } from '@/components/dashboard/system-health';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { getSystemHealth } from '@/lib/dashboard/system-health';

export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { merchantId, actor, withScope } = await requireMerchantPage();
  const [[merchant], health, t] = await Promise.all([
    withScope((tx) => tx.select({ name: merchants.name }).from(merchants).where(eq(merchants.id, merchantId))),
    // The platform's health (workers, the whole outbox), not merchant rows: read as the owner.
    getSystemHealth(db()),
    getTranslations('nav'),
  ]);
  return (
    <>
      <header className="top">
        <strong data-testid="merchant-name" title={actor.replace(/^user:/, '')}>{merchant?.name}</strong>
        <nav data-testid="dashboard-nav">
          <Link href="/dashboard">{t('overview')}</Link>
          <Link href="/dashboard/orders">{t('orders')}</Link>
          <Link href="/dashboard/ledger">{t('ledger')}</Link>
          <Link href="/dashboard/events">{t('events')}</Link>
          <Link href="/dashboard/reconciliation">{t('reconciliation')}</Link>
          <Link href="/dashboard/settings">{t('settings')}</Link>
          <Link href="/dashboard/audit">{t('audit')}</Link>
          <Link href="/">{t('shop')}</Link>
        </nav>
        <div className="tools">
          <LocaleSwitch />
          <LogoutButton />
        </div>
      </header>
      <main>
        <SystemHealthBanner health={health} />
        {children}
      </main>
    </>
  );
}
