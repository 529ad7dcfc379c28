'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Overview } from '@/lib/dashboard/get-overview';
import type { Page } from '@/lib/dashboard/page';
import { orderSearchQuery, type OrderSearch } from '@/lib/dashboard/order-search-params';
import type { OverviewParams } from '@/lib/dashboard/overview-params';
import type { OrderListRow } from '@/lib/dashboard/search-orders';
import { fetchJson } from '@/lib/query/fetch-json';
import { queryKeys } from '@/lib/query/keys';

/** The overview; the dashboard page prefetches it under the same key on the server. */
export function useOverview(params: OverviewParams) {
  return useQuery({
    queryKey: queryKeys.merchantOverview(params),
    queryFn: () => fetchJson<Overview>(`/api/merchant/overview?days=${params.days}`),
    placeholderData: keepPreviousData,
  });
}

/** One page of the orders search; the previous page stays on screen while the next loads. */
export function useOrderSearch(search: OrderSearch) {
  return useQuery({
    queryKey: queryKeys.merchantOrders(search),
    queryFn: () => fetchJson<Page<OrderListRow>>(`/api/merchant/orders?${orderSearchQuery(search)}`),
    placeholderData: keepPreviousData,
  });
}
