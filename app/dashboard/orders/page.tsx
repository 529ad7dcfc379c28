import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { OrderFilters } from '@/components/dashboard/order-filters';
import { OrdersView } from '@/components/dashboard/orders-view';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { orderSearchSchema } from '@/lib/dashboard/order-search-params';
import { describeIssues, firstValues, type RawSearchParams } from '@/lib/dashboard/search-params';
import { searchOrders } from '@/lib/dashboard/search-orders';
import { makeQueryClient } from '@/lib/query/make-query-client';
import { queryKeys } from '@/lib/query/keys';

/** Orders, searchable by id prefix, status and KST date range; the filters live in the URL. */
export default async function OrdersPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const t = await getTranslations('orders');
  const raw = firstValues(await searchParams);
  const parsed = orderSearchSchema.safeParse(raw);
  if (!parsed.success) {
    return (
      <>
        <h1>{t('title')}</h1>
        <OrderFilters values={{ q: raw.q, status: raw.status, from: raw.from, to: raw.to }} />
        <p className="notice error" data-testid="orders-invalid">
          {t('invalid', { issues: describeIssues(parsed.error) })} <Link href="/dashboard/orders">{t('clearFilters')}</Link>
        </p>
      </>
    );
  }
  const queryClient = makeQueryClient();
  // A failed prefetch is not thrown: the client then fetches itself and shows the error state.
  await queryClient.prefetchQuery({
    queryKey: queryKeys.merchantOrders(parsed.data),
    queryFn: () => withScope((tx) => searchOrders(tx, merchantId, parsed.data)),
  });
  return (
    <>
      <h1>{t('title')}</h1>
      <HydrationBoundary state={dehydrate(queryClient)}>
        <OrdersView search={parsed.data} />
      </HydrationBoundary>
    </>
  );
}
