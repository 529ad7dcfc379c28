import Link from 'next/link';
import type { ReactNode } from 'react';

export const dynamic = 'force-dynamic';

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="top">
        <strong>Merchant dashboard</strong>
        <nav>
          <Link href="/dashboard">Orders</Link>
          <Link href="/dashboard/ledger">Ledger</Link>
          <Link href="/dashboard/events">Events</Link>
          <Link href="/dashboard/reconciliation">Reconciliation</Link>
          <Link href="/">Shop</Link>
        </nav>
      </header>
      <main>{children}</main>
    </>
  );
}
