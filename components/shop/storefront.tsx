'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useLocale, useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { apiErrorText } from '@/lib/i18n/words';
import { formatMoney } from '@/lib/format';
import { ApiError, fetchJson } from '@/lib/query/fetch-json';
import { queryKeys } from '@/lib/query/keys';
import type { CheckoutMethod } from '@/lib/payments/pay-method';
import { PayMethodPicker } from './pay-method-picker';
import { type PaymentRequestResponse, usePayOrder } from './use-pay-order';

interface Product { id: string; name: string; price: number; currency: string }
type Cart = Record<string, number>;

const CHECKOUT_KEY = 'won.checkoutKey';

/**
 * One checkout key per cart, kept until the order exists: a double click or a retried request
 * sends the same key and gets the same order back from the server.
 */
function checkoutKey(): string {
  let key = sessionStorage.getItem(CHECKOUT_KEY);
  if (!key) {
    key = crypto.randomUUID();
    sessionStorage.setItem(CHECKOUT_KEY, key);
  }
  return key;
}

export function Storefront({ shopName }: { shopName: string }) {
  const t = useTranslations('storefront');
  const locale = useLocale();
  const products = useQuery({ queryKey: queryKeys.products(), queryFn: () => fetchJson<Product[]>('/api/products') });
  const [cart, setCart] = useState<Cart>({});
  const pay = usePayOrder(shopName);
  const [method, setMethod] = useState<CheckoutMethod>('CARD');
  const checkout = useMutation({
    mutationFn: () =>
      fetchJson<{ orderId: string; orderName: string; amount: number; currency: string; payment?: { clientKey: string; windowUrl: string } }>('/api/checkout', {
        method: 'POST',
        body: JSON.stringify({ items: Object.entries(cart).map(([productId, quantity]) => ({ productId, quantity })), checkoutKey: checkoutKey() }),
      }),
    onSuccess: ({ payment, ...order }) => {
      sessionStorage.removeItem(CHECKOUT_KEY);
      // A new order answers with the window's parameters: straight to the window. A repeated
      // checkout key answers with the order only: ask for the payment request first.
      const ready: PaymentRequestResponse | undefined = payment && { ...order, ...payment };
      pay.mutate({ order: ready ?? order.orderId, method });
    },
  });
  // A changed cart is a different order: it needs a new checkout key.
  useEffect(() => sessionStorage.removeItem(CHECKOUT_KEY), [cart]);

  const list = products.data ?? [];
  const lines = list.filter((p) => cart[p.id]);
  const total = lines.reduce((sum, p) => sum + p.price * (cart[p.id] ?? 0), 0);
  const currency = lines[0]?.currency ?? 'KRW';
  const busy = checkout.isPending || pay.isPending || pay.isSuccess;
  const error = checkout.error ?? pay.error;

  return (
    <div className="layout-shop">
      <section>
        <h1>{t('title')}</h1>
        {products.isPending && <p className="muted">{t('loadingProducts')}</p>}
        {products.isError && <p className="notice error">{t('loadFailed', { message: products.error.message })}</p>}
        {products.isSuccess && list.length === 0 && <p className="muted">{t('noProducts')}</p>}
        <div className="grid">
          {list.map((p) => (
            <div key={p.id} className="card" data-testid="product-card" data-product-id={p.id}>
              <div>{p.name}</div>
              <div className="row" style={{ marginTop: 12 }}>
                <span className="price">{formatMoney(p.price, p.currency)}</span>
                <button data-testid="add-to-cart" onClick={() => setCart((c) => ({ ...c, [p.id]: (c[p.id] ?? 0) + 1 }))}>{t('add')}</button>
              </div>
            </div>
          ))}
        </div>
      </section>
      <aside className="card" data-testid="cart">
        <h2 style={{ marginTop: 0 }}>{t('cart')}</h2>
        {lines.length === 0 && <p className="muted">{t('cartEmpty')}</p>}
        {lines.map((p) => (
          <div key={p.id} className="row" data-testid="cart-line">
            <span>{p.name} × {cart[p.id]}</span>
            <button className="secondary" aria-label={t('removeOne', { name: p.name })} onClick={() => setCart(({ [p.id]: n = 0, ...rest }) => (n > 1 ? { ...rest, [p.id]: n - 1 } : rest))}>−</button>
          </div>
        ))}
        <div className="row" style={{ margin: '12px 0' }}>
          <strong>{t('total')}</strong>
          <strong data-testid="cart-total">{formatMoney(total, currency)}</strong>
        </div>
        <PayMethodPicker value={method} onChange={setMethod} />
        {error && <p className="notice error" role="alert">{error instanceof ApiError ? apiErrorText(locale, error) : error.message}</p>}
        <button data-testid="checkout-submit" disabled={lines.length === 0 || busy} onClick={() => checkout.mutate()} style={{ width: '100%' }}>
          {busy ? t('opening') : t('checkout')}
        </button>
      </aside>
    </div>
  );
}
