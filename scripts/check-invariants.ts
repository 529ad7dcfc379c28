/**
 * npm run check:invariants [-- --merchant mer_… --json]
 * Checks the invariants of DESIGN.md against the database and prints each with its count of
 * violations. Exit 0 when all are zero, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { connect } from '@/db/client';
import { checkInvariants, totalViolations } from '@/lib/invariants/check-invariants';
import { prepareDatabase } from './lib/prepare-database';

const { values } = parseArgs({ options: { merchant: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('Usage: npm run check:invariants -- [--merchant ID] [--json]\nUses DATABASE_URL (or the embedded PostgreSQL).');
  process.exit(0);
}
(async () => {
  const prepared = await prepareDatabase((l) => console.error(`[won] ${l}`));
  const database = connect(prepared.url, { max: 2, appName: 'check-invariants' });
  try {
    const results = await checkInvariants(database.db, { merchantId: values.merchant });
    if (values.json) console.log(JSON.stringify(results, null, 2));
    else {
      for (const r of results) console.log(`${r.violations === 0 ? 'ok  ' : 'FAIL'} ${String(r.violations).padStart(6)}  ${r.name.padEnd(34)} ${r.description}`);
      console.log(`\n${totalViolations(results)} violation(s)`);
    }
    process.exitCode = totalViolations(results) ? 1 : 0;
  } finally {
    await database.close();
    await prepared.stop();
  }
})().catch((err) => {
  console.error('[won] check failed:', err instanceof Error ? err.message : err);
  process.exit(2);
});
