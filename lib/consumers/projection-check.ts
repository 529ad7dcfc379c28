import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';

export interface ProjectionMismatch {
  merchantId: string;
  currency: string;
  projected: bigint;
  ledger: bigint;
}

/**
 * The balance projection must equal what the ledger lines say the platform owes each merchant
 * (minus the MERCHANT_PAYABLE balance, which is a credit). Returns every disagreement.
 */
export async function checkBalanceProjection(db: DbOrTx, merchantId?: string): Promise<ProjectionMismatch[]> {
  const rows = (await db.execute(sql`
    with ledger as (
      select a.merchant_id, a.currency, -coalesce(sum(l.amount), 0) as payable
      from ledger_accounts a left join journal_lines l on l.account_id = a.id
      where a.code = 'MERCHANT_PAYABLE' ${merchantId ? sql`and a.merchant_id = ${merchantId}` : sql``}
      group by a.merchant_id, a.currency
    ), projected as (
      select merchant_id, currency, payable from merchant_balances
      ${merchantId ? sql`where merchant_id = ${merchantId}` : sql``}
    )
    select coalesce(l.merchant_id, p.merchant_id) as merchant_id, coalesce(l.currency, p.currency) as currency,
           coalesce(p.payable, 0)::text as projected, coalesce(l.payable, 0)::text as ledger
    from ledger l full join projected p on p.merchant_id = l.merchant_id and p.currency = l.currency
    where coalesce(p.payable, 0) <> coalesce(l.payable, 0)`)) as unknown as { merchant_id: string; currency: string; projected: string; ledger: string }[];
  return rows.map((r) => ({ merchantId: r.merchant_id, currency: r.currency, projected: BigInt(r.projected), ledger: BigInt(r.ledger) }));
}
