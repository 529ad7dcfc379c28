import { asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { journalLines, ledgerAccounts } from '@/db/schema';

export interface AccountBalance {
  accountId: string;
  code: string;
  currency: string;
  /** Debits minus credits, from the lines themselves. */
  balance: bigint;
}

/** Balances derived from journal lines (the source of truth), per account of the merchant. */
export async function accountBalances(db: DbOrTx, merchantId: string): Promise<AccountBalance[]> {
  return db.select({
    accountId: ledgerAccounts.id,
    code: ledgerAccounts.code,
    currency: ledgerAccounts.currency,
    balance: sql<bigint>`coalesce(sum(${journalLines.amount}), 0)`.mapWith((v) => BigInt(v)),
  })
    .from(ledgerAccounts)
    .leftJoin(journalLines, eq(journalLines.accountId, ledgerAccounts.id))
    .where(eq(ledgerAccounts.merchantId, merchantId))
    .groupBy(ledgerAccounts.id)
    .orderBy(asc(ledgerAccounts.currency), asc(ledgerAccounts.code));
}

/** Sum of all balances per currency; double entry makes each of them zero. */
export function trialBalance(balances: AccountBalance[]): Map<string, bigint> {
  const totals = new Map<string, bigint>();
  for (const b of balances) totals.set(b.currency, (totals.get(b.currency) ?? 0n) + b.balance);
  return totals;
}
