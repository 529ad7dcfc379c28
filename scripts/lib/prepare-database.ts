import { rmSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@/db/client';
import { startEmbeddedPostgres } from '@/db/embedded';
import { runMigrations } from '@/db/migrate';
import { seed } from '@/db/seed';
import { parseEnv } from '@/lib/env';

export interface PreparedDatabase {
  url: string;
  embedded: boolean;
  /** The embedded server's data directory (unset with DATABASE_URL). */
  dataDir?: string;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL set: migrate that server. Unset: start the embedded PostgreSQL (data in
 * EMBEDDED_PG_DIR, default .data/pg, reused by the next start) and migrate it. The demo data
 * (merchants, logins with published passwords, products) only with `seedDemo`: a production
 * start never creates logins nobody asked for.
 */
export async function prepareDatabase(say: (line: string) => void, opts: { seedDemo: boolean }): Promise<PreparedDatabase> {
  const env = parseEnv(process.env);
  let url = env.DATABASE_URL;
  let stop = async () => {};
  const embedded = !url;
  let dataDir: string | undefined;
  if (!url) {
    const dir = path.resolve(process.env.EMBEDDED_PG_DIR ?? '.data/pg');
    if (process.env.EMBEDDED_PG_FRESH === '1') rmSync(dir, { recursive: true, force: true });
    say(`starting embedded PostgreSQL (data: ${dir})`);
    const pg = await startEmbeddedPostgres({
      dir,
      port: Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      database: 'won_checkout',
      ephemeral: process.env.EMBEDDED_PG_FRESH === '1',
      log: process.env.EMBEDDED_PG_VERBOSE ? say : undefined,
    });
    url = pg.url;
    stop = pg.stop;
    dataDir = dir;
    say(`PostgreSQL ready on port ${pg.port}`);
  }
  if (opts.seedDemo) await migrateAndSeed(url, say);
  else {
    say('applying migrations');
    await runMigrations(url);
  }
  return { url, embedded, dataDir, stop };
}

/** Migrations, then the demo data (skipped where it exists). The PSP's side is the sandbox's own (npm run sandbox). */
export async function migrateAndSeed(url: string, say: (line: string) => void): Promise<void> {
  say('applying migrations');
  await runMigrations(url);
  const database = connect(url, { max: 2, appName: 'won-checkout-seed' });
  try {
    say('seeding demo data (skipped where it exists)');
    await seed(database.db);
  } finally {
    await database.close();
  }
}
