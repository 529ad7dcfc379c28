'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { fetchJson } from '@/lib/query/fetch-json';

/**
 * The PSP redirected here after the shopper authenticated. We hand the query to our server,
 * which checks it against the order and confirms; reloading this page is safe (the server
 * finds the payment finished and confirms nothing twice).
 */
export function ConfirmRedirect() {
  const params = useSearchParams();
  const router = useRouter();
  const orderId = params.get('orderId') ?? '';
  const confirm = useMutation({
    mutationFn: () =>
      fetchJson<{ orderId: string }>('/api/payments/confirm', {
        method: 'POST',
        body: JSON.stringify({ orderId, paymentKey: params.get('paymentKey') ?? '', amount: params.get('amount') ?? '', paymentType: params.get('paymentType') ?? undefined }),
      }),
    onSuccess: (o) => router.replace(`/orders/${encodeURIComponent(o.orderId)}`),
  });
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    confirm.mutate();
  }, [confirm]);

  if (confirm.isError) {
    return (
      <div className="card" style={{ maxWidth: 560 }}>
        <h1>Payment not completed</h1>
        <p className="notice error" role="alert" data-testid="confirm-error">{confirm.error.message}</p>
        {orderId && <Link className="button" href={`/checkout/${encodeURIComponent(orderId)}`}>Back to your order</Link>}
      </div>
    );
  }
  return <p className="notice warn" data-testid="confirming">Confirming your payment…</p>;
}
