import { DEMO_LOGINS } from '@/db/seed';
import { prepareDatabase } from './lib/prepare-database';

const USAGE = `Usage: npm run db:seed -- --demo

Applies migrations, then puts the demo merchants, their logins (published passwords) and
products into DATABASE_URL's database (or the embedded PostgreSQL when unset). Existing rows are
left alone. --demo is required: demo logins are never created by accident.`;

if (process.argv.includes('--help') || !process.argv.includes('--demo')) {
  console.log(USAGE);
  process.exit(process.argv.includes('--help') ? 0 : 1);
}
prepareDatabase((l) => console.log(`[won] ${l}`), { seedDemo: true })
  .then(async (db) => {
    await db.stop();
    for (const l of DEMO_LOGINS) console.log(`[won]   ${l.merchantName.padEnd(22)} ${l.email} / ${l.password}`);
    console.log('[won] demo data is in place');
  })
  .catch((err) => {
    console.error('[won] seeding failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
