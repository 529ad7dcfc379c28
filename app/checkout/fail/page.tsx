import { Suspense } from 'react';
import { ShopHeader } from '@/components/shop/shop-header';
import { FailRedirect } from '@/components/shop/fail-redirect';

export default function FailPage() {
  return (
    <>
      <ShopHeader />
      <main>
        <Suspense fallback={<p className="muted">…</p>}>
          <FailRedirect />
        </Suspense>
      </main>
    </>
  );
}
