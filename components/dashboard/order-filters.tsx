'use client';

import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { isCalendarDate } from '@/lib/kst';
import { ORDER_STATUSES } from '@/lib/dashboard/order-search-params';
import { wordFor } from '@/lib/i18n/words';
import { PAY_METHODS } from '@/lib/payments/pay-method';

export interface OrderFilterValues {
  q?: string;
  status?: string;
  method?: string;
  from?: string;
  to?: string;
}

/**
 * The orders search form. It is a plain GET form (it works without JavaScript); with JavaScript
 * it navigates client-side and leaves blank fields out of the URL. A new search starts at page 1.
 * Callers key it by the current values, so its fields follow back/forward navigation.
 */
export function OrderFilters({ values }: { values: OrderFilterValues }) {
  const router = useRouter();
  const t = useTranslations('orders');
  const locale = useLocale();
  // A date input cannot hold an invalid date (the page explains what was wrong with it).
  const date = (v: string | undefined) => (v && isCalendarDate(v) ? v : '');
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget)) if (typeof v === 'string' && v.trim()) params.set(k, v.trim());
    const qs = params.toString();
    router.push(qs ? `/dashboard/orders?${qs}` : '/dashboard/orders');
  };
  return (
    <form method="get" action="/dashboard/orders" onSubmit={submit} className="card row" style={{ flexWrap: 'wrap', justifyContent: 'flex-start', marginBottom: 16 }} role="search">
      <label>
        {t('filterId')}{' '}
        <input name="q" type="search" placeholder={t('filterIdPlaceholder')} defaultValue={values.q ?? ''} data-testid="orders-search" autoComplete="off" />
      </label>
      <label>
        {t('filterStatus')}{' '}
        <select name="status" defaultValue={values.status ?? ''} data-testid="orders-status-filter" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
          <option value="">{t('any')}</option>
          {ORDER_STATUSES.map((s) => <option key={s} value={s}>{wordFor(locale, 'orderStatus', s)}</option>)}
        </select>
      </label>
      <label>
        {t('method')}{' '}
        <select name="method" defaultValue={values.method ?? ''} data-testid="orders-method-filter" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
          <option value="">{t('any')}</option>
          {PAY_METHODS.map((m) => <option key={m} value={m}>{wordFor(locale, 'payMethod', m)}</option>)}
        </select>
      </label>
      <label>
        {t('from')}{' '}
        <input name="from" type="date" defaultValue={date(values.from)} data-testid="orders-from" />
      </label>
      <label>
        {t('to')}{' '}
        <input name="to" type="date" defaultValue={date(values.to)} data-testid="orders-to" />
      </label>
      <button type="submit" data-testid="orders-search-submit">{t('search')}</button>
      <Link href="/dashboard/orders" className="button secondary" data-testid="orders-clear">{t('clear')}</Link>
      <span className="muted">{t('kstNote')}</span>
    </form>
  );
}
