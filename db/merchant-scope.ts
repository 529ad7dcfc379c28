import { sql } from 'drizzle-orm';
import type { Db, Tx } from './client';

/** The role whose row-level security policies (db/sql/08_row_level_security.sql) confine it to one merchant. */
export const MERCHANT_ROLE = 'won_app';

/**
 * Runs `fn` in one transaction as `won_app` with `app.merchant_id` set, so every query in it
 * sees and writes only this merchant's rows, even one that forgets its merchant filter.
 * Both settings are transaction-local (`set_config(..., true)`): when the transaction ends the
 * pooled connection is the owner again with no merchant, so one request's merchant can never
 * reach the next request on that connection. It takes the pool, never a transaction: inside one it
 * would be a savepoint, and the settings would outlive it for the rest of the outer transaction.
 */
export async function withMerchantScope<T>(db: Db, merchantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // One round trip for both; the role first, so a failed switch never leaves a merchant set on the owner.
    await tx.execute(sql`select set_config('role', ${MERCHANT_ROLE}, true), set_config('app.merchant_id', ${merchantId}, true)`);
    return fn(tx);
  });
}
