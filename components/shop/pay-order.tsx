'use client';

import Link from 'next/link';
import { useState } from 'react';
import { useLocale, useTranslations } from 'next-intl';
import { formatMoney } from '@/lib/format';
import { apiErrorText, wordFor } from '@/lib/i18n/words';
import { ApiError } from '@/lib/query/fetch-json';
import type { CheckoutMethod } from '@/lib/payments/pay-method';
import { PayMethodPicker } from './pay-method-picker';
import { useOrder } from './use-order';
import { usePayOrder } from './use-pay-order';

/** The checkout page of an existing order: where a shopper lands to (re)try paying. */
export function PayOrder({ orderId, canceled, shopName }: { orderId: string; canceled: boolean; shopName: string }) {
  const t = useTranslations('checkout');
  const locale = useLocale();
  const order = useOrder(orderId);
  const pay = usePayOrder(shopName);
  const [method, setMethod] = useState<CheckoutMethod>('CARD');
  if (order.isPending) return <p className="muted">{t('loadingOrder')}</p>;
  if (order.isError) return <p className="notice error" role="alert">{order.error instanceof ApiError ? apiErrorText(locale, order.error) : order.error.message}</p>;
  const o = order.data;
  return (
    <div className="card" style={{ maxWidth: 520 }}>
      <h1>{t('title')}</h1>
      {canceled && o.status !== 'PAID' && <p className="notice warn" data-testid="payment-canceled">{t('canceled')}</p>}
      <div className="row"><span>{o.orderName}</span><strong>{formatMoney(o.amount, o.currency)}</strong></div>
      <p className="muted">{t('orderLine', { orderId: o.orderId })} · <span data-testid="order-status" data-status={o.status}>{wordFor(locale, 'orderStatus', o.status)}</span></p>
      {o.status === 'PAID' ? (
        <p className="notice ok">{t('paid')} <Link href={`/orders/${o.orderId}`}>{t('seeOrder')}</Link></p>
      ) : o.status === 'AWAITING_DEPOSIT' ? (
        <p className="notice warn" data-testid="awaiting-deposit">{t('awaitingDeposit')} <Link href={`/orders/${o.orderId}`}>{t('seeAccount')}</Link></p>
      ) : o.status === 'CONFIRMING' ? (
        <p className="notice warn">{t('confirming')} <Link href={`/orders/${o.orderId}`}>{t('followIt')}</Link></p>
      ) : (
        <>
          <PayMethodPicker value={method} onChange={setMethod} />
          {pay.error && <p className="notice error" role="alert">{pay.error instanceof ApiError ? apiErrorText(locale, pay.error) : pay.error.message}</p>}
          <button data-testid="pay-submit" disabled={pay.isPending || pay.isSuccess} onClick={() => pay.mutate({ order: o.orderId, method })}>
            {pay.isPending || pay.isSuccess ? t('opening') : t('pay', { amount: formatMoney(o.amount, o.currency) })}
          </button>
        </>
      )}
    </div>
  );
}
