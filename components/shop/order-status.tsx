'use client';

import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { formatMoney } from '@/lib/format';
import { apiErrorText, isPaidStatus, pspErrorText, shopperHeadline, wordFor } from '@/lib/i18n/words';
import { ApiError } from '@/lib/query/fetch-json';
import { VIRTUAL_ACCOUNT_EXPIRED } from '@/lib/payments/pay-method';
import { useOrder } from './use-order';
import { DepositExpiredNotice, VirtualAccountDetails } from './virtual-account-details';

export function OrderStatus({ orderId }: { orderId: string }) {
  const t = useTranslations('order');
  const locale = useLocale();
  const order = useOrder(orderId);
  if (order.isPending) return <p className="muted">{t('title')}…</p>;
  if (order.isError) return <p className="notice error" role="alert">{order.error instanceof ApiError ? apiErrorText(locale, order.error) : order.error.message}</p>;
  const o = order.data;
  const headline = shopperHeadline(o);
  const tone = isPaidStatus(o.status) ? 'ok' : o.status === 'PAYMENT_FAILED' ? 'error' : 'warn';
  const failure = o.status === 'PAYMENT_FAILED' ? o.payment?.failure : null;
  return (
    <div className="card" style={{ maxWidth: 560 }}>
      <h1>{t('title')}</h1>
      <p className={`notice ${tone}`} data-testid="order-headline" data-headline={headline}>{t(`headline.${headline}`)}</p>
      <div className="row"><span>{o.orderName}</span><strong>{formatMoney(o.amount, o.currency)}</strong></div>
      <p className="muted">
        {t('line', { orderId: o.orderId })} · {t('statusLabel')}{' '}
        <span className={`badge ${o.status}`} data-testid="order-status" data-status={o.status}>{wordFor(locale, 'orderStatus', o.status)}</span>
      </p>
      {o.status === 'AWAITING_DEPOSIT' && o.virtualAccount && <VirtualAccountDetails account={o.virtualAccount} amount={o.amount} currency={o.currency} />}
      {o.payment?.failure?.code === VIRTUAL_ACCOUNT_EXPIRED && <DepositExpiredNotice />}
      {failure && headline === 'PAYMENT_FAILED' && (
        <p className="muted" data-testid="order-failure">{t('reason', { reason: pspErrorText(locale, failure.code, failure.message) })}</p>
      )}
      {(o.status === 'PAYMENT_FAILED' || o.status === 'AWAITING_PAYMENT') && (
        <Link className="button" data-testid="retry-payment" href={`/checkout/${encodeURIComponent(o.orderId)}`}>{t('payNow')}</Link>
      )}
      {o.status === 'PAID' && <Link href="/">{t('continueShopping')}</Link>}
    </div>
  );
}
