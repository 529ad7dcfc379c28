import { notFound } from 'next/navigation';
import { requireMerchantPage } from '@/lib/auth/merchant-context';

/** Any other address under /dashboard: signed in, it is a 404 inside the dashboard. */
export default async function UnknownDashboardPage(): Promise<never> {
  await requireMerchantPage();
  notFound();
}
