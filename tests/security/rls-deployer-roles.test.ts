import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, type Database } from '@/db/client';
import { MERCHANT_ROLE, withMerchantScope } from '@/db/merchant-scope';
import { runMigrations } from '@/db/migrate';
import { orders } from '@/db/schema';
import { createShop } from '../helpers/fixtures';

/**
 * A deployer's PostgreSQL, where the app's login owns its database but is not a superuser and
 * may not create roles: an administrator has created won_app and granted it to that login
 * (docs/SECURITY.md). The migrations then run as that login, the owner sees every merchant, and
 * the scope confines it to one. Without the grant the migration stops and names the role.
 */
const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
const ownerRole = `deployer_${suffix}`;
const password = `pw_${suffix}`;
let admin: Database;

function urlAs(database: string): string {
  const url = new URL(inject('databaseUrl'));
  url.username = ownerRole;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

beforeAll(async () => {
  admin = connect(inject('databaseUrl'), { max: 1 });
  await admin.sql.unsafe(`create role ${ownerRole} login password '${password}' nosuperuser nocreaterole nocreatedb`);
});

afterAll(async () => {
  for (const db of [`granted_${suffix}`, `refused_${suffix}`]) await admin.sql.unsafe(`drop database if exists ${db} with (force)`);
  await admin.sql.unsafe(`drop role if exists ${ownerRole}`);
  await admin.close();
});

describe('row-level security on a deployer\'s PostgreSQL (owner is no superuser)', () => {
  it('without won_app granted to the owner, the migration stops and names the role', async () => {
    await admin.sql.unsafe(`create database refused_${suffix} owner ${ownerRole}`);
    const err = await runMigrations(urlAs(`refused_${suffix}`)).then(() => null, (e: unknown) => e as Error & { cause?: { message?: string; hint?: string } });
    // drizzle wraps PostgreSQL's error (its own message quotes the whole migration): read the cause.
    expect(err?.cause?.message).toMatch(new RegExp(`^role won_app is not granted to ${ownerRole}, and ${ownerRole} may not grant it`));
    expect(err?.cause?.hint).toBe(`As a database administrator, run: GRANT won_app TO ${ownerRole};`);
  });

  it('with won_app granted, the migrations run as the owner; the owner sees both merchants, the scope one', async () => {
    await admin.sql.unsafe(`grant ${MERCHANT_ROLE} to ${ownerRole}`);
    await admin.sql.unsafe(`create database granted_${suffix} owner ${ownerRole}`);
    const url = urlAs(`granted_${suffix}`);
    await runMigrations(url);
    await runMigrations(url); // idempotent: a second start changes nothing
    const app = connect(url, { max: 2 });
    try {
      const [{ superuser } = { superuser: true }] = await app.sql<{ superuser: boolean }[]>`select rolsuper as superuser from pg_roles where rolname = current_user`;
      expect(superuser).toBe(false);
      const a = await createShop(app.db);
      const b = await createShop(app.db);
      for (const shop of [a, b]) {
        await app.db.insert(orders).values({ id: `ord_${randomUUID().replaceAll('-', '')}`, merchantId: shop.merchantId, checkoutKey: randomUUID(), requestHash: 'h', orderName: 'o', amount: 1n, currency: 'KRW' });
      }
      const everything = await app.db.select({ merchantId: orders.merchantId }).from(orders);
      expect(new Set(everything.map((o) => o.merchantId))).toEqual(new Set([a.merchantId, b.merchantId]));
      const scoped = await withMerchantScope(app.db, a.merchantId, (tx) => tx.select({ merchantId: orders.merchantId }).from(orders));
      expect(scoped.map((o) => o.merchantId)).toEqual([a.merchantId]);
      const [{ n } = { n: -1 }] = await app.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('role', ${MERCHANT_ROLE}, true)`);
        return tx.execute<{ n: number }>(sql`select count(*)::int as n from orders`);
      });
      expect(n).toBe(0);
    } finally {
      await app.close();
    }
  });
});
