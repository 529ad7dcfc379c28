import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalLines, journals, paymentHistory } from '@/db/schema';
import { postJournal } from '@/lib/ledger/post-journal';
import { approvalLines } from '@/lib/ledger/posting-rules';
import { newId } from '@/lib/ids';
import { accountBalances, trialBalance } from '@/lib/ledger/balances';
import { createOrder } from '@/lib/orders/create-order';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop, type TestShop } from '../helpers/fixtures';

const { db } = testDatabase();
let shop: TestShop;

beforeAll(async () => {
  shop = await createShop(db);
});
afterAll(closeTestDatabase);

/** Postgres's message for the error that ended a transaction (drizzle wraps it). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return `${e.message} ${e.cause?.message ?? ''}`;
  }
  throw new Error('expected the database to reject this');
}

describe('the database enforces the ledger rules', () => {
  it('rejects an unbalanced journal at commit, leaving nothing behind', async () => {
    const message = await failure(db.transaction(async (tx) => {
      await postJournal(tx, { merchantId: shop.merchantId, kind: 'CORRECTION', description: 'unbalanced', currency: 'KRW', lines: [
        { account: 'PSP_RECEIVABLE', amount: 1000n },
        { account: 'MERCHANT_PAYABLE', amount: -999n },
      ] });
    }));
    expect(message).toMatch(/does not balance: KRW 1/);
    const rows = await db.select().from(journals).where(eq(journals.merchantId, shop.merchantId));
    expect(rows.filter((j) => j.description === 'unbalanced')).toHaveLength(0);
  });

  it('rejects a journal with a single line', async () => {
    const message = await failure(db.transaction((tx) =>
      postJournal(tx, { merchantId: shop.merchantId, kind: 'CORRECTION', description: 'one line', currency: 'KRW', lines: [{ account: 'CASH', amount: 5n }] }),
    ));
    expect(message).toMatch(/needs at least two/);
  });

  it('rejects a journal with no lines at all', async () => {
    const message = await failure(db.transaction(async (tx) => {
      await tx.insert(journals).values({ id: newId('jnl'), merchantId: shop.merchantId, kind: 'CORRECTION', description: 'empty' });
    }));
    expect(message).toMatch(/has no lines/);
  });

  it('accepts a balanced journal and checks each currency on its own', async () => {
    await db.transaction((tx) =>
      postJournal(tx, { merchantId: shop.merchantId, kind: 'CORRECTION', description: 'balanced', currency: 'KRW', lines: approvalLines(10_000n, 250n) }),
    );
    const totals = trialBalance(await accountBalances(db, shop.merchantId));
    expect(totals.get('KRW')).toBe(0n);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of journals, lines and payment history', async () => {
    const [line] = await db.select().from(journalLines).limit(1);
    expect(line).toBeDefined();
    expect(await failure(db.update(journalLines).set({ amount: 1n }).where(eq(journalLines.id, line!.id)))).toMatch(/append-only: UPDATE/);
    expect(await failure(db.delete(journalLines).where(eq(journalLines.id, line!.id)))).toMatch(/append-only: DELETE/);
    expect(await failure(db.update(journals).set({ description: 'edited' }).where(eq(journals.id, line!.journalId)))).toMatch(/append-only: UPDATE/);
    expect(await failure(db.delete(journals).where(eq(journals.id, line!.journalId)))).toMatch(/append-only: DELETE/);
    expect(await failure(db.execute(sql`truncate journal_lines cascade`))).toMatch(/append-only: TRUNCATE/);

    await createOrder(db, { items: [{ productId: shop.productIds[0], quantity: 1 }], checkoutKey: newId('cfm') });
    const [h] = await db.select().from(paymentHistory).limit(1);
    expect(await failure(db.update(paymentHistory).set({ event: 'X' }).where(eq(paymentHistory.id, h!.id)))).toMatch(/append-only: UPDATE/);
    expect(await failure(db.delete(paymentHistory).where(eq(paymentHistory.id, h!.id)))).toMatch(/append-only: DELETE/);
  });

  it('rejects a second approval journal for one payment', async () => {
    const order = await createOrder(db, { items: [{ productId: shop.productIds[1], quantity: 1 }], checkoutKey: newId('cfm') });
    const [{ id: paymentId }] = (await db.execute<{ id: string }>(sql`select id from payments where order_id = ${order.orderId}`)) as unknown as [{ id: string }];
    const post = () => db.transaction((tx) =>
      postJournal(tx, { merchantId: shop.merchantId, kind: 'PAYMENT_APPROVAL', paymentId, description: 'approval', currency: 'KRW', lines: approvalLines(4_200n, 105n) }),
    );
    await post();
    expect(await failure(post())).toMatch(/journals_one_approval_per_payment/);
  });
});
