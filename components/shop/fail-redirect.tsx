'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { isPaidStatus, pspErrorText, SHOPPER_CANCEL_CODES } from '@/lib/i18n/words';
import type { OrderStatusView } from '@/lib/payments/get-order-status';
import { fetchJson } from '@/lib/query/fetch-json';

/**
 * Where the PSP sends the shopper after a cancel or a refused card, and after approving again an
 * order already paid (Back into the window): the order's own status, as the server answers it,
 * decides the words, so a paid order is never told that nothing was charged.
 */
export function FailRedirect() {
  const t = useTranslations('fail');
  const tc = useTranslations('confirm');
  const locale = useLocale();
  const params = useSearchParams();
  const router = useRouter();
  const orderId = params.get('orderId') ?? '';
  const code = params.get('code') ?? '';
  const message = params.get('message') ?? '';
  const canceled = SHOPPER_CANCEL_CODES.includes(code);
  const record = useMutation({
    mutationFn: () => fetchJson<OrderStatusView>('/api/payments/fail', { method: 'POST', body: JSON.stringify({ orderId, code, message }) }),
    onSuccess: (order) => {
      if (canceled && !isPaidStatus(order.status)) router.replace(`/checkout/${encodeURIComponent(orderId)}?canceled=1`);
    },
  });
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    record.mutate();
  }, [record]);

  const orderHref = `/orders/${encodeURIComponent(orderId)}`;
  if (record.isPending || record.isIdle) return <p className="muted">{canceled ? t('returning') : tc('confirming')}</p>;
  if (record.isSuccess && isPaidStatus(record.data.status)) {
    return (
      <div className="card" style={{ maxWidth: 560 }}>
        <h1>{tc('alreadyPaidTitle')}</h1>
        <p className="notice ok" role="status" data-testid="fail-already-paid">{tc('alreadyPaid')}</p>
        <Link className="button" href={orderHref}>{tc('seeOrder')}</Link>
      </div>
    );
  }
  if (canceled && record.isSuccess && record.data.status === 'PAYMENT_FAILED') return <p className="muted">{t('returning')}</p>;
  // The PSP did not agree the payment failed (the attempt stays open): do not promise anything.
  const settled = record.isSuccess && record.data.status === 'PAYMENT_FAILED';
  return (
    <div className="card" style={{ maxWidth: 560 }}>
      <h1>{t('title')}</h1>
      <p className="notice error" role="alert" data-testid="payment-failure-message" data-code={code}>{pspErrorText(locale, code, message)}</p>
      <p className="muted">
        {t('code')}: <code data-testid="payment-failure-code">{code || '—'}</code>
        {settled && <> · {t('nothingCharged')}</>}
      </p>
      {record.isSuccess && !settled && <p className="notice warn">{t('notFinal')} <Link href={orderHref}>{tc('seeOrder')}</Link></p>}
      {record.isError && <p className="notice error">{t('recordFailed', { message: record.error.message })}</p>}
      {orderId && <Link className="button" data-testid="retry-payment" href={`/checkout/${encodeURIComponent(orderId)}`}>{t('retry')}</Link>}
    </div>
  );
}
