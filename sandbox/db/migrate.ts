import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { connectSandbox } from './client';

export const SANDBOX_MIGRATIONS_FOLDER = path.join(__dirname, 'migrations');

/**
 * Applies the sandbox's migrations to schema `sandbox` (its bookkeeping in
 * sandbox.__migrations, apart from the merchant app's). Idempotent.
 */
export async function runSandboxMigrations(url: string): Promise<void> {
  const { db, close } = connectSandbox(url, { max: 1, appName: 'psp-sandbox-migrate' });
  try {
    await migrate(db, { migrationsFolder: SANDBOX_MIGRATIONS_FOLDER, migrationsSchema: 'sandbox', migrationsTable: '__migrations' });
  } finally {
    await close();
  }
}
