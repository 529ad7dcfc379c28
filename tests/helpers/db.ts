import { inject } from 'vitest';
import { connect, type Database } from '@/db/client';

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
