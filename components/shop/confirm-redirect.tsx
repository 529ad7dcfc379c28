'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { apiErrorText, isPaidStatus } from '@/lib/i18n/words';
import type { OrderStatusView } from '@/lib/payments/get-order-status';
import { ApiError, fetchJson } from '@/lib/query/fetch-json';
import { queryKeys } from '@/lib/query/keys';

/**
 * The PSP redirected here after the shopper authenticated. We hand the query to our server,
 * which checks it against the order and confirms; reloading this page is safe (the server
 * finds the payment finished and confirms nothing twice).
 */
export function ConfirmRedirect() {
  const t = useTranslations('confirm');
  const locale = useLocale();
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
  // A refused confirm (say, an edited URL) says nothing about the order itself: a paid order
  // must not be told "nothing was charged", so read what the order is before choosing words.
  const order = useQuery({
    queryKey: queryKeys.order(orderId),
    queryFn: () => fetchJson<OrderStatusView>(`/api/orders/${encodeURIComponent(orderId)}`),
    enabled: confirm.isError && orderId !== '',
    retry: false,
  });
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    confirm.mutate();
  }, [confirm]);

  if (confirm.isError) {
    if (order.isPending && order.fetchStatus !== 'idle') return <p className="notice warn" data-testid="confirming">{t('confirming')}</p>;
    const orderHref = `/orders/${encodeURIComponent(orderId)}`;
    if (order.data && isPaidStatus(order.data.status)) {
      return (
        <div className="card" style={{ maxWidth: 560 }}>
          <h1>{t('alreadyPaidTitle')}</h1>
          <p className="notice ok" role="status" data-testid="confirm-already-paid">{t('alreadyPaid')}</p>
          <Link className="button" href={orderHref}>{t('seeOrder')}</Link>
        </div>
      );
    }
    const error = confirm.error;
    return (
      <div className="card" style={{ maxWidth: 560 }}>
        <h1>{t('notCompleted')}</h1>
        <p className="notice error" role="alert" data-testid="confirm-error" data-code={error instanceof ApiError ? error.code : undefined}>
          {error instanceof ApiError ? apiErrorText(locale, error) : error.message}
        </p>
        {orderId && <Link className="button" href={`/checkout/${encodeURIComponent(orderId)}`}>{t('backToOrder')}</Link>}
      </div>
    );
  }
  return <p className="notice warn" data-testid="confirming">{t('confirming')}</p>;
}
