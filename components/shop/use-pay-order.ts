'use client';

import { useMutation } from '@tanstack/react-query';
import { paymentWindowUrl } from '@/lib/psp/payment-window';
import { fetchJson } from '@/lib/query/fetch-json';
import { type CheckoutMethod, windowMethodFields } from '@/lib/payments/pay-method';

/** The order and the window's parameters: the answer of payment-request, or of a checkout that created the order. */
export interface PaymentRequestResponse {
  orderId: string;
  orderName: string;
  amount: number;
  currency: string;
  clientKey: string;
  windowUrl: string;
}

/**
 * Request step, then the PSP's window. Given an order id, readies the order's payment attempt
 * first (POST payment-request); given a ready request (a fresh checkout's answer), goes straight
 * to the window. The window shows `shopName` as the seller.
 */
export function usePayOrder(shopName?: string) {
  return useMutation({
    mutationFn: async ({ order, method = 'CARD' }: { order: string | PaymentRequestResponse; method?: CheckoutMethod }) => {
      const req = typeof order === 'string'
        ? await fetchJson<PaymentRequestResponse>(`/api/orders/${encodeURIComponent(order)}/payment-request`, { method: 'POST' })
        : order;
      const origin = window.location.origin;
      window.location.assign(paymentWindowUrl({
        windowUrl: req.windowUrl,
        clientKey: req.clientKey,
        orderId: req.orderId,
        orderName: req.orderName,
        amount: req.amount,
        currency: req.currency,
        successUrl: `${origin}/checkout/success`,
        failUrl: `${origin}/checkout/fail`,
        shopName,
        ...windowMethodFields(method),
      }, origin));
      return req;
    },
  });
}
