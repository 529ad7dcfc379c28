import type { OrderSearch } from '@/lib/dashboard/order-search-params';
import type { OverviewParams } from '@/lib/dashboard/overview-params';

/** TanStack Query keys in one place, so mutations invalidate exactly what they change. */
export const queryKeys = {
  products: () => ['products'] as const,
  order: (orderId: string) => ['orders', orderId] as const,
  /** Everything the merchant dashboard caches: invalidate this after a refund. */
  merchant: () => ['merchant'] as const,
  merchantOverview: (params: OverviewParams) => ['merchant', 'overview', params] as const,
  merchantOrders: (search: OrderSearch) => ['merchant', 'orders', search] as const,
  merchantBalances: () => ['merchant', 'balances'] as const,
};
