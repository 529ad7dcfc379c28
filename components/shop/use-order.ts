'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/lib/query/fetch-json';
import { queryKeys } from '@/lib/query/keys';
import type { OrderStatusView } from '@/lib/payments/get-order-status';

/** The order as the shopper sees it; polls while the payment is being confirmed or awaits its deposit. */
export function useOrder(orderId: string) {
  return useQuery({
    queryKey: queryKeys.order(orderId),
    queryFn: () => fetchJson<OrderStatusView>(`/api/orders/${encodeURIComponent(orderId)}`),
    refetchInterval: (q) => (q.state.data?.status === 'CONFIRMING' ? 1500 : q.state.data?.status === 'AWAITING_DEPOSIT' ? 3000 : false),
  });
}
