import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, type Database, type Db } from '@/db/client';
import { MERCHANT_ROLE, withMerchantScope } from '@/db/merchant-scope';
import {
  account, auditLog, deadLetters, journalLines, journals, ledgerAccounts, merchantApiKeys, merchantBalances, orderItems, orders,
  outbox, paymentHistory, payments, reconciliationItems, reconciliationRuns, refunds, session, user, virtualAccounts, webhookDeliveries,
} from '@/db/schema';
import { orderSearchSchema } from '@/lib/dashboard/order-search-params';
import { searchOrders } from '@/lib/dashboard/search-orders';
import { newId } from '@/lib/ids';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop } from '../helpers/fixtures';

/**
 * The second wall (issue 11): as won_app, a query sees only the merchant set for its transaction,
 * and nothing when none is set. Real PostgreSQL, the real migration, no stand-in.
 */

/** Platform tables won_app may read although they have no merchant: each with why it is safe. */
const PLATFORM_TABLES: Record<string, string> = {
  consumed_events: 'consumer name + opaque event id, no merchant data; the events page matches them against the merchant\'s own outbox',
  reconciliation_runs: 'one row per run (dates, trigger); each merchant counts only its own items',
};

/** Merchant-owned tables without a merchant_id column: the parent their policy follows. */
const CHILD_TABLES: Record<string, { fk: string; parent: string }> = {
  order_items: { fk: 'order_id', parent: 'orders' },
  payment_history: { fk: 'payment_id', parent: 'payments' },
  journal_lines: { fk: 'journal_id', parent: 'journals' },
  auth_session: { fk: 'user_id', parent: 'auth_user' },
  auth_account: { fk: 'user_id', parent: 'auth_user' },
};

interface TableInfo {
  name: string;
  hasMerchantId: boolean;
  rls: boolean;
  forced: boolean;
  appPolicies: number;
  appCanRead: boolean;
}

let owner: Database;
let a: string;
let b: string;
let tables: TableInfo[];
let merchantOwned: Set<string>;
/** One row of merchant B per table, as the owner sees it (for the refused inserts). */
const rowOfB = new Map<string, Record<string, unknown>>();

/** Every kind of merchant row, so each table has rows of both merchants (and some of none). */
async function seedMerchant(db: Db, merchantId: string, productId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const orderId = newId('ord');
    const paymentId = newId('pay');
    const journalId = newId('jnl');
    const [acc1, acc2] = [newId('acc'), newId('acc')];
    const userId = newId('usr');
    const runId = newId('rcn');
    const eventId = newId('evt');
    await tx.insert(orders).values({ id: orderId, merchantId, checkoutKey: newId('cfm'), requestHash: 'h', orderName: 'RLS order', amount: 1000n, currency: 'KRW' });
    await tx.insert(orderItems).values({ orderId, productId, quantity: 1, unitPrice: 1000n });
    await tx.insert(payments).values({ id: paymentId, orderId, merchantId, amount: 1000n, currency: 'KRW', confirmIdempotencyKey: newId('cfm') });
    await tx.insert(paymentHistory).values({ paymentId, toStatus: 'NOT_STARTED', event: 'CREATED', actor: 'test' });
    await tx.insert(virtualAccounts).values({ paymentId, merchantId, bankCode: '20', accountNumber: 'X0000000000', dueAt: new Date(Date.now() + 60_000), secretSha256: '0'.repeat(64) });
    await tx.insert(refunds).values({ id: newId('rfd'), paymentId, merchantId, amount: 10n, currency: 'KRW', reason: 'rls', idempotencyKey: newId('rfd'), pspIdempotencyKey: newId('rfd'), requestedBy: 'test' });
    await tx.insert(ledgerAccounts).values([{ id: acc1, merchantId, code: 'PSP_RECEIVABLE', currency: 'KRW' }, { id: acc2, merchantId, code: 'MERCHANT_PAYABLE', currency: 'KRW' }]);
    await tx.insert(journals).values({ id: journalId, merchantId, kind: 'CORRECTION', description: 'rls' });
    await tx.insert(journalLines).values([{ journalId, accountId: acc1, amount: 5n, currency: 'KRW' }, { journalId, accountId: acc2, amount: -5n, currency: 'KRW' }]);
    await tx.insert(merchantBalances).values({ merchantId, currency: 'KRW' });
    await tx.insert(outbox).values({ eventId, eventType: 'test', aggregateId: paymentId, merchantId, payload: {} });
    await tx.insert(webhookDeliveries).values({ eventId, merchantId, attempt: 1, url: 'https://example.com/hook', durationMs: 1 });
    await tx.insert(deadLetters).values({ consumer: 'rls-test', eventId, merchantId, sourceTopic: 't', error: 'e', attempts: 1 });
    await tx.insert(merchantApiKeys).values({ id: newId('key'), merchantId, name: 'k', prefix: 'won_sk_', hash: newId('key'), createdBy: 'test' });
    await tx.insert(auditLog).values({ merchantId, actor: 'test', action: 'rls.seeded' });
    await tx.insert(reconciliationRuns).values({ id: runId, fromDate: '2026-01-01', toDate: '2026-01-01', trigger: 'test' });
    await tx.insert(reconciliationItems).values({ runId, merchantId, classification: 'MATCHED', detail: 'rls' });
    await tx.insert(user).values({ id: userId, name: 'u', email: `${userId}@rls.test`, merchantId });
    await tx.insert(session).values({ id: newId('usr'), userId, token: newId('usr'), expiresAt: new Date(Date.now() + 60_000) });
    await tx.insert(account).values({ id: newId('usr'), userId, accountId: userId, providerId: 'credential', password: 'x' });
  });
}

/** Rows of no merchant: the operator's audit entries and dead letters, an unmatched PSP payment. */
async function seedPlatformRows(db: Db): Promise<void> {
  const runId = newId('rcn');
  await db.insert(auditLog).values({ merchantId: null, actor: 'operator:ops@rls.test', action: 'dead-letter.replayed' });
  await db.insert(deadLetters).values({ consumer: 'rls-test', eventId: null, merchantId: null, sourceTopic: 't', rawValue: 'not json', error: 'e', attempts: 1 });
  await db.insert(reconciliationRuns).values({ id: runId, fromDate: '2026-01-01', toDate: '2026-01-01', trigger: 'test' });
  await db.insert(reconciliationItems).values({ runId, merchantId: null, classification: 'MISSING_OURS', detail: 'rls' });
}

/** A query as won_app in a transaction of its own, with the merchant set or not. */
async function asApp<T>(pg: postgres.Sql, merchantId: string | null, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return (await pg.begin(async (tx) => {
    await tx`select set_config('role', ${MERCHANT_ROLE}, true)`;
    if (merchantId !== null) await tx`select set_config('app.merchant_id', ${merchantId}, true)`;
    return fn(tx);
  })) as T;
}

/** The SQLSTATE of what `fn` threw, or 'none'. */
async function sqlState(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'none';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

beforeAll(async () => {
  owner = testDatabase();
  const [shopA, shopB] = [await createShop(owner.db), await createShop(owner.db)];
  a = shopA.merchantId;
  b = shopB.merchantId;
  await seedMerchant(owner.db, a, shopA.productIds[0]);
  await seedMerchant(owner.db, b, shopB.productIds[0]);
  await seedPlatformRows(owner.db);

  tables = await owner.sql<TableInfo[]>`
    select c.relname as name,
           exists (select 1 from information_schema.columns col where col.table_schema = 'public' and col.table_name = c.relname and col.column_name = 'merchant_id') as "hasMerchantId",
           c.relrowsecurity as rls, c.relforcerowsecurity as forced,
           (select count(*)::int from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname and ${MERCHANT_ROLE} = any(p.roles)) as "appPolicies",
           has_table_privilege(${MERCHANT_ROLE}, c.oid, 'SELECT') or exists (select 1 from information_schema.column_privileges cp where cp.table_schema = 'public' and cp.table_name = c.relname and cp.grantee = ${MERCHANT_ROLE}) as "appCanRead"
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname not like '\\_\\_drizzle%'
    order by c.relname`;

  // Merchant-owned: a merchant_id column, the merchants table, or a foreign key (at any depth) to one of them.
  const fks = await owner.sql<{ child: string; parent: string }[]>`
    select cl.relname as child, pl.relname as parent
    from pg_constraint k join pg_class cl on cl.oid = k.conrelid join pg_class pl on pl.oid = k.confrelid
    join pg_namespace n on n.oid = cl.relnamespace
    where k.contype = 'f' and n.nspname = 'public'`;
  merchantOwned = new Set(tables.filter((t) => t.hasMerchantId || t.name === 'merchants').map((t) => t.name));
  for (let grew = true; grew;) {
    grew = false;
    for (const { child, parent } of fks) {
      if (merchantOwned.has(parent) && !merchantOwned.has(child)) {
        merchantOwned.add(child);
        grew = true;
      }
    }
  }

  for (const t of merchantOwned) {
    const where = t === 'merchants' ? sql`id = ${b}`
      : tables.find((x) => x.name === t)!.hasMerchantId ? sql`merchant_id = ${b}`
      : sql`${sql.identifier(CHILD_TABLES[t]!.fk)} in (select id from ${sql.identifier(CHILD_TABLES[t]!.parent)} where merchant_id = ${b})`;
    const rows = await owner.db.execute<{ row: Record<string, unknown> }>(sql`select to_jsonb(t) as row from ${sql.identifier(t)} t where ${where} limit 1`);
    expect(rows.length, `seeded a row of merchant B in ${t}`).toBe(1);
    rowOfB.set(t, rows[0]!.row);
  }
});
afterAll(closeTestDatabase);

describe('row-level security on every merchant-owned table', () => {
  it('every merchant-owned table (found from the schema) has RLS enabled and a policy for won_app', () => {
    expect(merchantOwned.size).toBeGreaterThanOrEqual(20);
    for (const t of tables.filter((x) => merchantOwned.has(x.name))) {
      expect({ table: t.name, rls: t.rls, policy: t.appPolicies > 0 }).toEqual({ table: t.name, rls: true, policy: true });
    }
    // A merchant-owned table without a merchant_id needs its parent named here, so the test
    // below can check it; a new one fails until someone writes its policy and lists it.
    const children = tables.filter((t) => merchantOwned.has(t.name) && !t.hasMerchantId && t.name !== 'merchants').map((t) => t.name);
    expect(children.sort()).toEqual(Object.keys(CHILD_TABLES).sort());
  });

  it('won_app reads no table outside the merchant-owned ones but the listed platform tables, and none of those holds merchant rows', () => {
    const readable = tables.filter((t) => t.appCanRead && !merchantOwned.has(t.name)).map((t) => t.name);
    expect(readable.sort()).toEqual(Object.keys(PLATFORM_TABLES).sort());
    for (const name of readable) expect(tables.find((t) => t.name === name)!.hasMerchantId).toBe(false);
  });

  it('won_app cannot bypass it: not superuser, not BYPASSRLS, owns no table', async () => {
    const [role] = await owner.sql`select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = ${MERCHANT_ROLE}`;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
    const owned = await owner.sql`select relname from pg_class where relowner = (select oid from pg_roles where rolname = ${MERCHANT_ROLE})`;
    expect(owned).toEqual([]);
  });

  it('as won_app with no merchant set: every merchant-owned table returns no rows', async () => {
    const pg = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
    try {
      for (const t of merchantOwned) {
        const [{ n: ownerSees } = { n: -1 }] = await owner.sql<{ n: number }[]>`select count(*)::int as n from ${owner.sql(t)}`;
        expect(ownerSees, `the owner sees rows in ${t}`).toBeGreaterThan(0);
        const info = tables.find((x) => x.name === t)!;
        if (!info.appCanRead) {
          // Not granted at all (logins' sessions and credentials): refused outright.
          expect(await sqlState(() => asApp(pg, null, (tx) => tx`select count(*) from ${tx(t)}`)), t).toBe('42501');
          continue;
        }
        const [{ n } = { n: -1 }] = await asApp(pg, null, (tx) => tx<{ n: number }[]>`select count(*)::int as n from ${tx(t)}`);
        expect({ table: t, rows: n }).toEqual({ table: t, rows: 0 });
      }
    } finally {
      await pg.end();
    }
  });

  it('as won_app with no merchant set, and with merchant A set, inserting merchant B\'s row is refused in every merchant-owned table', async () => {
    const pg = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
    try {
      for (const merchant of [null, a]) {
        for (const t of merchantOwned) {
          const row = rowOfB.get(t)!;
          // B's own row, column for column (its primary key and identity too): RLS or the missing grant refuses it before any constraint.
          const state = await sqlState(() => asApp(pg, merchant, (tx) => tx`insert into ${tx(t)} overriding system value select * from jsonb_populate_record(null::${tx(t)}, ${tx.json(row as postgres.JSONValue)})`));
          expect({ table: t, merchant, state }).toEqual({ table: t, merchant, state: '42501' });
        }
      }
    } finally {
      await pg.end();
    }
  });

  it('with merchant A set: a query with no WHERE returns A\'s rows and never B\'s, in every merchant-owned table', async () => {
    const pg = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
    try {
      for (const t of merchantOwned) {
        const info = tables.find((x) => x.name === t)!;
        if (!info.appCanRead) continue;
        const rows = await asApp(pg, a, (tx) => tx<{ row: Record<string, unknown> }[]>`select to_jsonb(t) as row from ${tx(t)} t`);
        expect(rows.length, `A sees its own rows in ${t}`).toBeGreaterThan(0);
        const key = t === 'merchants' ? 'id' : info.hasMerchantId ? 'merchant_id' : CHILD_TABLES[t]!.fk;
        const values = [...new Set(rows.map((r) => r.row[key] as string))];
        if (t === 'merchants' || info.hasMerchantId) {
          expect({ table: t, merchants: values }).toEqual({ table: t, merchants: [a] });
        } else {
          // A child row: its parent must be A's (checked as the owner).
          const { parent } = CHILD_TABLES[t]!;
          const owners = await owner.sql<{ merchant_id: string }[]>`select distinct merchant_id from ${owner.sql(parent)} where id in ${owner.sql(values)}`;
          expect({ table: t, merchants: owners.map((o) => o.merchant_id) }).toEqual({ table: t, merchants: [a] });
        }
        expect(rows.map((r) => JSON.stringify(r.row)), `B's row in ${t}`).not.toContain(JSON.stringify(rowOfB.get(t)));
      }
    } finally {
      await pg.end();
    }
  });

  it('rows of no merchant (operator audit, orphan dead letters, unmatched PSP payments) reach no merchant, and stay with the owner', async () => {
    for (const t of ['audit_log', 'dead_letters', 'reconciliation_items']) {
      const [{ n: ownerSees } = { n: -1 }] = await owner.sql<{ n: number }[]>`select count(*)::int as n from ${owner.sql(t)} where merchant_id is null`;
      expect(ownerSees, t).toBeGreaterThan(0);
      const [{ n } = { n: -1 }] = await withMerchantScope(owner.db, a, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(t)} where merchant_id is null`));
      expect({ table: t, rows: n }).toEqual({ table: t, rows: 0 });
    }
  });
});

describe('withMerchantScope', () => {
  it('a dashboard query run without its merchant filter still returns only the scoped merchant\'s rows', async () => {
    const everyOrder = await withMerchantScope(owner.db, a, (tx) => tx.select({ merchantId: orders.merchantId }).from(orders));
    expect(everyOrder.length).toBeGreaterThan(0);
    expect([...new Set(everyOrder.map((o) => o.merchantId))]).toEqual([a]);
    // The real helper handed B's id while scoped to A (a bug that mixed two contexts): nothing.
    const crossed = await withMerchantScope(owner.db, a, (tx) => searchOrders(tx, b, orderSearchSchema.parse({})));
    expect(crossed.rows).toEqual([]);
    const own = await withMerchantScope(owner.db, b, (tx) => searchOrders(tx, b, orderSearchSchema.parse({})));
    expect(own.rows.length).toBeGreaterThan(0);
  });

  it('does not leak between pooled requests: two scoped transactions on one connection, then an unscoped one', async () => {
    const one: Database = connect(inject('databaseUrl'), { max: 1, appName: 'won-checkout-rls-test' });
    try {
      const seen = async (merchantId: string) => withMerchantScope(one.db, merchantId, async (tx) => {
        const rows = await tx.execute<{ merchant_id: string; role: string; pid: number }>(sql`select distinct merchant_id, current_user as role, pg_backend_pid() as pid from orders`);
        return rows.map((r) => ({ ...r }));
      });
      const first = await seen(a);
      const second = await seen(b);
      expect(first.map((r) => r.merchant_id)).toEqual([a]);
      expect(second.map((r) => r.merchant_id)).toEqual([b]);
      expect(first[0]!.role).toBe(MERCHANT_ROLE);
      expect(second[0]!.pid).toBe(first[0]!.pid); // the same pooled connection
      // After the transactions the connection is the owner again with no merchant set.
      const [after] = await one.sql`select current_user as role, current_setting('app.merchant_id', true) as merchant, pg_backend_pid() as pid`;
      expect(after!.pid).toBe(first[0]!.pid);
      expect(after!.role).not.toBe(MERCHANT_ROLE);
      expect(after!.merchant ?? '').toBe('');
      // And as won_app again without setting a merchant, the previous one is not carried over.
      const [{ n } = { n: -1 }] = await asApp(one.sql, null, (tx) => tx<{ n: number }[]>`select count(*)::int as n from orders`);
      expect(n).toBe(0);
    } finally {
      await one.close();
    }
  });

  it('a failed scoped transaction leaves no merchant on the connection either', async () => {
    const one: Database = connect(inject('databaseUrl'), { max: 1, appName: 'won-checkout-rls-test' });
    try {
      await expect(withMerchantScope(one.db, a, async (tx) => {
        await tx.execute(sql`select 1`);
        throw new Error('handler failed');
      })).rejects.toThrow('handler failed');
      const [after] = await one.sql`select current_user as role, current_setting('app.merchant_id', true) as merchant`;
      expect(after!.role).not.toBe(MERCHANT_ROLE);
      expect(after!.merchant ?? '').toBe('');
    } finally {
      await one.close();
    }
  });
});
