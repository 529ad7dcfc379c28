import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { pspMerchants, pspTransactions, type PspTransactionKind } from '../db/schema';
import { kstDate } from './clock';

/**
 * The PSP's fee on `amount` at `feeBps` basis points, rounded half up to a whole unit. Computed
 * in bigint: amount × bps can pass 2^53 for large amounts.
 */
export function feeFor(amount: number, feeBps: number): number {
  return Number((BigInt(amount) * BigInt(feeBps) * 2n + 10_000n) / 20_000n);
}

/**
 * Records an approval or a cancel for settlements. Run it in the transaction that moves the
 * money, so a settlement row exists exactly when the movement does. The fee is fixed now, at the
 * merchant's current rate.
 */
export async function recordTransaction(db: DbOrTx, t: {
  transactionKey: string;
  paymentKey: string;
  mId: string;
  kind: PspTransactionKind;
  amount: number;
  at: Date;
}): Promise<void> {
  const [merchant] = await db.select({ feeBps: pspMerchants.feeBps }).from(pspMerchants).where(eq(pspMerchants.mId, t.mId));
  if (!merchant) throw new Error(`PSP merchant ${t.mId} vanished`);
  await db.insert(pspTransactions).values({
    transactionKey: t.transactionKey,
    paymentKey: t.paymentKey,
    mId: t.mId,
    kind: t.kind,
    amount: t.amount,
    fee: feeFor(t.amount, merchant.feeBps),
    occurredAt: t.at,
    soldDate: kstDate(t.at),
  });
}
