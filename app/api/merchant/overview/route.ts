import { withMerchant } from '@/lib/auth/merchant-context';
import { getOverview } from '@/lib/dashboard/get-overview';
import { overviewParamsSchema } from '@/lib/dashboard/overview-params';
import { json, parseQuery } from '@/lib/http/respond';

export const dynamic = 'force-dynamic';

/** Merchant API: approved volume and count per KST day, approval rate, refunds, balances. `?days=7|30|90`. */
export const GET = withMerchant(async (req, { merchant }) => {
  const params = parseQuery(req.url, overviewParamsSchema);
  return json(await merchant.withScope((tx) => getOverview(tx, merchant.merchantId, params)));
});
