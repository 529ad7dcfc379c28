import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../db/embedded';
import { runMigrations } from '../../db/migrate';

/**
 * One real PostgreSQL for the whole run, started from the embedded binaries in a temp dir and
 * migrated. Tests isolate themselves by creating their own merchant (fresh rows per test).
 * TEST_DATABASE_URL points the tests at another server instead; it must be a local one.
 */
export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL;
  let cleanup = async () => {};
  if (url) {
    const host = new URL(url).hostname;
    if (!['localhost', '127.0.0.1', '::1'].includes(host)) {
      throw new Error(`refusing to run tests against a non-local database (${host})`);
    }
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'won-test-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
    const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'data'), port: 0, database: 'test', ephemeral: true });
    url = pg.url;
    cleanup = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  await runMigrations(url);
  project.provide('databaseUrl', url);
  return cleanup;
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
