import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { db } from '@/db';
import { OverviewView } from '@/components/dashboard/overview-view';
import { SystemHealthPanel } from '@/components/dashboard/system-health';
import { requireMerchantPage } from '@/lib/auth/merchant-context';
import { getOverview } from '@/lib/dashboard/get-overview';
import { overviewParamsSchema } from '@/lib/dashboard/overview-params';
import { getSystemHealth } from '@/lib/dashboard/system-health';
import { describeIssues, firstValues, type RawSearchParams } from '@/lib/dashboard/search-params';
import { makeQueryClient } from '@/lib/query/make-query-client';
import { queryKeys } from '@/lib/query/keys';

/** Overview: prefetched here per request, hydrated into the browser's query cache. */
export default async function OverviewPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const { merchantId, withScope } = await requireMerchantPage();
  const t = await getTranslations('overview');
  const parsed = overviewParamsSchema.safeParse(firstValues(await searchParams));
  if (!parsed.success) {
    return (
      <>
        <h1>{t('title')}</h1>
        <p className="notice error" data-testid="overview-invalid">
          {t('invalid', { issues: describeIssues(parsed.error) })} <Link href="/dashboard">{t('last30')}</Link>
        </p>
      </>
    );
  }
  const queryClient = makeQueryClient();
  // A failed prefetch is not thrown: the client then fetches itself and shows the error state.
  await queryClient.prefetchQuery({
    queryKey: queryKeys.merchantOverview(parsed.data),
    queryFn: () => withScope((tx) => getOverview(tx, merchantId, parsed.data)),
  });
  // The platform's health (workers, the whole outbox), not merchant rows: read as the owner.
  const health = await getSystemHealth(db());
  return (
    <>
      <h1>{t('title')}</h1>
      <HydrationBoundary state={dehydrate(queryClient)}>
        <OverviewView params={parsed.data} />
      </HydrationBoundary>
      <SystemHealthPanel health={health} />
    </>
  );
}
