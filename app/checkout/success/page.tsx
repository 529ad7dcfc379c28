import { Suspense } from 'react';
import { ShopHeader } from '@/components/shop/shop-header';
import { ConfirmRedirect } from '@/components/shop/confirm-redirect';

export default function SuccessPage() {
  return (
    <>
      <ShopHeader />
      <main>
        <Suspense fallback={<p className="muted">…</p>}>
          <ConfirmRedirect />
        </Suspense>
      </main>
    </>
  );
}
