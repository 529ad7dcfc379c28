import { withMerchant } from '@/lib/auth/merchant-context';
import { orderSearchSchema } from '@/lib/dashboard/order-search-params';
import { searchOrders } from '@/lib/dashboard/search-orders';
import { json, parseQuery } from '@/lib/http/respond';

export const dynamic = 'force-dynamic';

/** Merchant API: the merchant's orders, newest first. `?q=&status=&from=&to=&page=&pageSize=`. */
export const GET = withMerchant(async (req, { merchant }) => {
  const search = parseQuery(req.url, orderSearchSchema);
  return json(await merchant.withScope((tx) => searchOrders(tx, merchant.merchantId, search)));
});
