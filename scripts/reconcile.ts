/**
 * npm run reconcile [-- --from yyyy-MM-dd --to yyyy-MM-dd]
 * Compares the PSP's settlements and payment states with ours for the KST dates given (default:
 * yesterday), posts settlement journals for matched rows, stores and prints the report.
 */
import { parseArgs } from 'node:util';
import { pspClientFromEnv } from '@/lib/psp/env-client';
import { kstDateOf } from '@/lib/kst';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { runWithDatabase } from './lib/with-database';

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('Usage: npm run reconcile -- [--from yyyy-MM-dd] [--to yyyy-MM-dd]\nDefault: yesterday (KST). Uses DATABASE_URL (or the embedded PostgreSQL) and TOSS_* (or the sandbox).');
  process.exit(0);
}
const yesterday = kstDateOf(new Date(Date.now() - 86_400_000));
const fromDate = values.from ?? values.to ?? yesterday;
const toDate = values.to ?? fromDate;

runWithDatabase('reconcile', async ({ db }) => {
  console.error(`[won] reconciling ${fromDate} … ${toDate}`);
  const run = await runReconciliation(db, pspClientFromEnv(), { fromDate, toDate }, 'cli');
  console.log(`run ${run.runId}: ${run.items} payments compared, ${run.settlementJournals} settlement journals posted`);
  for (const [k, v] of Object.entries(run.counts)) console.log(`  ${k.padEnd(16)} ${v}`);
  const mismatches = Object.entries(run.counts).filter(([k]) => k !== 'MATCHED').reduce((s, [, v]) => s + (v ?? 0), 0);
  return mismatches ? 1 : 0;
});
