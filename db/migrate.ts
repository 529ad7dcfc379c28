import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { connect } from './client';

export const MIGRATIONS_FOLDER = path.join(__dirname, 'migrations');

/** Applies the committed migrations (generated schema + hand-written triggers). Idempotent. */
export async function runMigrations(url: string): Promise<void> {
  const { db, close } = connect(url, { max: 1, appName: 'won-checkout-migrate' });
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await close();
  }
}
