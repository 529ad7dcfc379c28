'use client';

import { useMutation } from '@tanstack/react-query';
import { paymentWindowUrl } from '@/lib/psp/payment-window';
import { fetchJson } from '@/lib/query/fetch-json';

interface PaymentRequestResponse {
  orderId: string;
  orderName: string;
  amount: number;
  currency: string;
  clientKey: string;
  windowUrl: string;
}

/** Request step: readies the order's payment attempt, then sends the browser to the PSP's window. */
export function usePayOrder() {
  return useMutation({
    mutationFn: async (orderId: string) => {
      const req = await fetchJson<PaymentRequestResponse>(`/api/orders/${encodeURIComponent(orderId)}/payment-request`, { method: 'POST' });
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
      }, origin));
      return req;
    },
  });
}
