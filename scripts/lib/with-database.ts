import { connect, type Database } from '@/db/client';
import { prepareDatabase } from './prepare-database';

/**
 * Runs a command-line task against the prepared database (DATABASE_URL, or the embedded one),
 * then closes everything. The task's return value is the exit code; a crash exits 2.
 */
export function runWithDatabase(name: string, task: (database: Database) => Promise<number>): void {
  (async () => {
    const prepared = await prepareDatabase((l) => console.error(`[won] ${l}`), { seedDemo: false });
    const database = connect(prepared.url, { max: 2, appName: name });
    try {
      process.exitCode = await task(database);
    } finally {
      await database.close();
      await prepared.stop();
    }
  })().catch((err) => {
    console.error(`[won] ${name} failed:`, err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
