import 'server-only';
import type { DbOrTx } from '@/db/client';
import { accountBalances } from '@/lib/ledger/balances';

export interface BalanceView {
  accountId: string;
  code: string;
  currency: string;
  /** Debits minus credits over the account's journal lines, in minor units (JSON number). */
  balance: number;
}

/** Every ledger account of the merchant with its balance, derived from the journal lines. */
export async function getBalances(db: DbOrTx, merchantId: string): Promise<{ balances: BalanceView[] }> {
  const balances = await accountBalances(db, merchantId);
  return { balances: balances.map((b) => ({ accountId: b.accountId, code: b.code, currency: b.currency, balance: Number(b.balance) })) };
}
