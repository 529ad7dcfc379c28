import Link from 'next/link';
import type { ReactNode } from 'react';
import { LogoutButton } from '@/components/auth/logout-button';
import { requireOperatorPage } from '@/lib/auth/operator-context';

export const dynamic = 'force-dynamic';

/** The platform operator's pages: what belongs to no merchant. Logins listed in OPERATOR_EMAILS only. */
export default async function OperatorLayout({ children }: { children: ReactNode }) {
  const { actor } = await requireOperatorPage();
  return (
    <>
      <header className="top">
        <strong>Operator</strong>
        <nav>
          <Link href="/operator/dead-letters">Dead letters</Link>
        </nav>
        <span className="muted" style={{ marginLeft: 'auto' }} data-testid="operator-name">{actor.replace(/^operator:/, '')}</span>
        <LogoutButton />
      </header>
      <main>{children}</main>
    </>
  );
}
