import { prepareDatabase } from './lib/prepare-database';

if (process.argv.includes('--help')) {
  console.log('Usage: npm run db:migrate\n\nApplies migrations to DATABASE_URL (or the embedded PostgreSQL when unset), then exits.\nDemo data: npm run db:seed -- --demo');
  process.exit(0);
}
prepareDatabase((l) => console.log(`[won] ${l}`), { seedDemo: false })
  .then(async (db) => {
    await db.stop();
    console.log('[won] database is up to date');
  })
  .catch((err) => {
    console.error('[won] migration failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
