import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { journalLines, journals, ledgerAccounts, type AccountCode } from '@/db/schema';
import { newId } from '@/lib/ids';

export type JournalKind = (typeof journals.$inferInsert)['kind'];

export interface JournalLineInput {
  account: AccountCode;
  /** Positive = debit, negative = credit, integer minor units. */
  amount: bigint;
}

export interface JournalInput {
  merchantId: string;
  kind: JournalKind;
  paymentId?: string;
  externalRef?: string;
  description: string;
  currency: string;
  lines: JournalLineInput[];
}

/**
 * Appends one journal with its lines. The database checks at commit that the lines balance
 * per currency (constraint trigger), so call this inside the transaction of the change it books.
 */
export async function postJournal(tx: DbOrTx, input: JournalInput): Promise<string> {
  const accounts = await ensureAccounts(tx, input.merchantId, input.currency, [...new Set(input.lines.map((l) => l.account))]);
  const journalId = newId('jnl');
  await tx.insert(journals).values({
    id: journalId,
    merchantId: input.merchantId,
    kind: input.kind,
    paymentId: input.paymentId,
    externalRef: input.externalRef,
    description: input.description,
  });
  await tx.insert(journalLines).values(
    input.lines.filter((l) => l.amount !== 0n).map((l) => ({
      journalId,
      accountId: accounts.get(l.account)!,
      amount: l.amount,
      currency: input.currency,
    })),
  );
  return journalId;
}

/** The merchant's accounts for these codes, created on first use. */
export async function ensureAccounts(tx: DbOrTx, merchantId: string, currency: string, codes: AccountCode[]): Promise<Map<AccountCode, string>> {
  const find = () =>
    tx.select({ id: ledgerAccounts.id, code: ledgerAccounts.code }).from(ledgerAccounts)
      .where(and(eq(ledgerAccounts.merchantId, merchantId), eq(ledgerAccounts.currency, currency), inArray(ledgerAccounts.code, codes)));
  let rows = await find();
  if (rows.length < codes.length) {
    await tx.insert(ledgerAccounts)
      .values(codes.map((code) => ({ id: newId('acc'), merchantId, code, currency })))
      .onConflictDoNothing();
    rows = await find();
  }
  return new Map(rows.map((r) => [r.code, r.id]));
}
