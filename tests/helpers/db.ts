import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { runMigrations } from '@/db/migrate';
import { connect, type Database } from '@/db/client';
import { runSandboxMigrations } from '@/sandbox/db/migrate';

let shared: Database | undefined;

/** The run's real PostgreSQL (see tests/setup/global-setup.ts), one pool per test file. */
export function testDatabase(): Database {
  shared ??= connect(inject('databaseUrl'), { max: 20, appName: 'won-checkout-test' });
  return shared;
}

export async function closeTestDatabase(): Promise<void> {
  await shared?.close();
  shared = undefined;
}

/**
 * A database of its own on the same server, migrated: for tests that drain the whole outbox
 * (relays) and must not see other files' events.
 */
export async function createIsolatedDatabase(): Promise<Database & { url: string }> {
  const base = new URL(inject('databaseUrl'));
  const name = `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const admin = connect(base.toString(), { max: 1 });
  await admin.sql.unsafe(`create database ${name}`);
  await admin.close();
  base.pathname = `/${name}`;
  const url = base.toString();
  await runMigrations(url);
  await runSandboxMigrations(url);
  return { ...connect(url, { max: 10, appName: 'won-checkout-test' }), url };
}
