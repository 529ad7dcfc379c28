import { withMerchant } from '@/lib/auth/merchant-context';
import { getBalances } from '@/lib/dashboard/get-balances';
import { json } from '@/lib/http/respond';

export const dynamic = 'force-dynamic';

/** Merchant API: the balance of every ledger account, derived from the journal lines. */
export const GET = withMerchant(async (_req, { merchant }) => json(await merchant.withScope((tx) => getBalances(tx, merchant.merchantId))));
