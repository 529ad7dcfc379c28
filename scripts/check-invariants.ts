/**
 * npm run check:invariants [-- --merchant mer_… --json]
 * Checks the product's invariants (docs/ARCHITECTURE.md) against the database and prints each with its count of
 * violations. Exit 0 when all are zero, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { checkInvariants, totalViolations } from '@/lib/invariants/check-invariants';
import { runWithDatabase } from './lib/with-database';

const { values } = parseArgs({ options: { merchant: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('Usage: npm run check:invariants -- [--merchant ID] [--json]\nUses DATABASE_URL (or the embedded PostgreSQL).');
  process.exit(0);
}
runWithDatabase('check-invariants', async ({ db }) => {
  const results = await checkInvariants(db, { merchantId: values.merchant });
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else {
    for (const r of results) console.log(`${r.violations === 0 ? 'ok  ' : 'FAIL'} ${String(r.violations).padStart(6)}  ${r.name.padEnd(34)} ${r.description}`);
    console.log(`\n${totalViolations(results)} violation(s)`);
  }
  return totalViolations(results) ? 1 : 0;
});
