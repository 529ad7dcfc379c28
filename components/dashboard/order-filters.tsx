'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { isCalendarDate } from '@/lib/kst';
import { ORDER_STATUSES } from '@/lib/dashboard/order-search-params';

export interface OrderFilterValues {
  q?: string;
  status?: string;
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
        Order id{' '}
        <input name="q" type="search" placeholder="ord_… (exact or prefix)" defaultValue={values.q ?? ''} data-testid="orders-search" autoComplete="off" />
      </label>
      <label>
        Status{' '}
        <select name="status" defaultValue={values.status ?? ''} data-testid="orders-status-filter" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
          <option value="">Any</option>
          {ORDER_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <label>
        From{' '}
        <input name="from" type="date" defaultValue={date(values.from)} data-testid="orders-from" />
      </label>
      <label>
        To{' '}
        <input name="to" type="date" defaultValue={date(values.to)} data-testid="orders-to" />
      </label>
      <button type="submit" data-testid="orders-search-submit">Search</button>
      <Link href="/dashboard/orders" className="button secondary" data-testid="orders-clear">Clear</Link>
      <span className="muted">Dates are Korean (KST) days.</span>
    </form>
  );
}
