'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { fetchJson } from '@/lib/query/fetch-json';

/** Where the PSP sends the shopper after a cancel or a refused card. */
export function FailRedirect() {
  const params = useSearchParams();
  const router = useRouter();
  const orderId = params.get('orderId') ?? '';
  const code = params.get('code') ?? '';
  const message = params.get('message') ?? '';
  const record = useMutation({
    mutationFn: () => fetchJson('/api/payments/fail', { method: 'POST', body: JSON.stringify({ orderId, code, message }) }),
    onSuccess: () => {
      if (code === 'PAY_PROCESS_CANCELED') router.replace(`/checkout/${encodeURIComponent(orderId)}?canceled=1`);
    },
  });
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    record.mutate();
  }, [record]);

  if (code === 'PAY_PROCESS_CANCELED' && !record.isError) return <p className="muted">Returning to checkout…</p>;
  return (
    <div className="card" style={{ maxWidth: 560 }}>
      <h1>Payment failed</h1>
      <p className="notice error" role="alert" data-testid="payment-failure-message">{message || 'The payment was not completed.'}</p>
      <p className="muted">Code: {code || 'unknown'} · Nothing was charged.</p>
      {record.isError && <p className="notice error">{record.error.message}</p>}
      {orderId && <Link className="button" data-testid="retry-payment" href={`/checkout/${encodeURIComponent(orderId)}`}>Try again</Link>}
    </div>
  );
}
