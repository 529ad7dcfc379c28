import { eq } from 'drizzle-orm';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { db } from '@/db';
import { merchants } from '@/db/schema';
import { LogoutButton } from '@/components/auth/logout-button';
import { SystemHealthBanner } from '@/components/dashboard/system-health';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { getSystemHealth } from '@/lib/dashboard/system-health';

export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { merchantId, actor, withScope } = await requireMerchantPage();
  const [[merchant], health] = await Promise.all([
    withScope((tx) => tx.select({ name: merchants.name }).from(merchants).where(eq(merchants.id, merchantId))),
    // The platform's health (workers, the whole outbox), not merchant rows: read as the owner.
    getSystemHealth(db()),
  ]);
  return (
    <>
      <header className="top">
        <strong>Merchant dashboard</strong>
        <nav>
          <Link href="/dashboard">Overview</Link>
          <Link href="/dashboard/orders">Orders</Link>
          <Link href="/dashboard/ledger">Ledger</Link>
          <Link href="/dashboard/events">Events</Link>
          <Link href="/dashboard/reconciliation">Reconciliation</Link>
          <Link href="/dashboard/settings">Settings</Link>
          <Link href="/dashboard/audit">Audit log</Link>
          <Link href="/">Shop</Link>
        </nav>
        <span className="muted" style={{ marginLeft: 'auto' }} data-testid="merchant-name">{merchant?.name} · {actor.replace(/^user:/, '')}</span>
        <LogoutButton />
      </header>
      <main>
        <SystemHealthBanner health={health} />
        {children}
      </main>
    </>
  );
}
