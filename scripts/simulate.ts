/**
 * npm run simulate -- [--seeds N] [--from S] [--seed S] [--steps K] [--concurrency C] [--keep-going] [--trace] [--coverage]
 * The seeded payment-flow simulator (tests/simulation): each seed picks operations and faults,
 * the real code runs on a real PostgreSQL, the invariants are checked after every step. A
 * failure prints the seed, the commit and the trace; `--seed S` replays it.
 */
import './lib/plain-node-server';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '@/db/embedded';
import { formatFailure, type SeedResult } from '../tests/simulation/run-seed';
import { gitSha, runSeeds } from '../tests/simulation/run-seeds';
import { formatCoverage } from '../tests/simulation/coverage';

const USAGE = `Usage: npm run simulate -- [options]
  --seeds N        how many seeds to run (default 200)
  --from S         first seed; seeds S, S+1, … (default: a random one, printed)
  --seed S         run only seed S and print its trace (replays a reported failure)
  --steps K        operations per seed before quiescence (default 60; a replay needs the reported value)
  --concurrency C  seeds run side by side, each in its own database (default 3)
  --keep-going     report every failing seed instead of stopping at the first
  --trace          print every seed's trace, passing or not
  --coverage       at the end, the share of seeds in which each virtual-account case happened
  --help           this text
Database: SIM_DATABASE_URL or DATABASE_URL names a local PostgreSQL server on which each seed gets
a database of its own (created and dropped); without either an embedded PostgreSQL is started.
Exit status: 0 all seeds passed, 1 a seed failed, 2 bad arguments or no database.`;

const MAX_SEED = 2 ** 32 - 1;

function fail(message: string): never {
  console.error(`simulate: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function intArg(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) fail(`--${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) fail(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      seeds: { type: 'string' },
      from: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      concurrency: { type: 'string' },
      'keep-going': { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      coverage: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
} catch (err) {
  fail((err as Error).message);
}
const args = parsed.values;
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.seed !== undefined && (args.seeds !== undefined || args.from !== undefined)) fail('--seed replays one seed; leave out --seeds and --from');
const single = args.seed === undefined ? undefined : intArg('seed', args.seed, 0, 0, MAX_SEED);
const count = intArg('seeds', args.seeds, 200, 1, 10_000_000);
const from = intArg('from', args.from, randomInt(0, 2 ** 31), 0, MAX_SEED);
const steps = intArg('steps', args.steps, 60, 1, 100_000);
const concurrency = intArg('concurrency', args.concurrency, 3, 1, 32);
const seeds = single !== undefined ? [single] : Array.from({ length: count }, (_, i) => (from + i) % (MAX_SEED + 1));

async function main(): Promise<number> {
  const say = (s: string) => console.error(`[sim] ${s}`);
  let url = process.env.SIM_DATABASE_URL ?? process.env.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'won-sim-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
    say('starting embedded PostgreSQL');
    const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: 0, database: 'sim', ephemeral: true });
    url = pg.url;
    stop = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const sha = gitSha();
  say(single !== undefined
    ? `replaying seed ${single} with ${steps} steps (git ${sha})`
    : `${seeds.length} seeds from ${from}, ${steps} steps each, ${concurrency} at a time (git ${sha})`);
  const t0 = performance.now();
  let done = 0;
  let lastReport = t0;
  const traces: string[][] = [];
  const progress = (r: SeedResult) => {
    done++;
    if (args.coverage) traces.push(r.trace);
    // A failure's report carries its trace; a passing seed's is printed on request.
    if (r.ok && (single !== undefined || args.trace)) console.log(`seed ${r.seed}:\n${r.trace.join('\n')}\n`);
    if (!r.ok) console.log(`\n${formatFailure(r, sha)}\n`);
    const now = performance.now();
    if (single === undefined && (now - lastReport > 5_000 || done === seeds.length)) {
      lastReport = now;
      say(`${done}/${seeds.length} seeds, ${(done / ((now - t0) / 1000)).toFixed(1)} seeds/s`);
    }
  };
  // Ctrl-C: start no new seed and say what finished. The terminal signals the whole process
  // group, so an embedded PostgreSQL is shutting down already and the seeds in flight fail with
  // it; those are not counted (a server of its own, SIM_DATABASE_URL, lets them finish).
  let interrupted = false;
  const failed: number[] = [];
  const onResult = (r: SeedResult) => {
    if (interrupted) return;
    if (!r.ok) failed.push(r.seed);
    progress(r);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      say(`${signal}: starting no new seed; ${done} finished, ${failed.length} failed${failed.length ? ` (${failed.join(' ')})` : ''}`);
    });
  }
  try {
    const summary = await runSeeds({ databaseUrl: url, seeds, steps, concurrency, stopOnFailure: !args['keep-going'], onResult, shouldStop: () => interrupted });
    const secs = summary.ms / 1000;
    say(`${summary.ran} seeds in ${secs.toFixed(1)} s (${(summary.ran / secs).toFixed(1)} seeds/s), ${summary.failures.length} failed`);
    if (args.coverage) say(`virtual accounts, share of ${traces.length} seeds: ${formatCoverage(traces)}`);
    if (summary.failures.length) say(`failing seeds: ${summary.failures.map((f) => f.seed).join(' ')} (git ${sha}, --steps ${steps})`);
    return summary.failures.length ? 1 : interrupted ? 130 : 0;
  } catch (err) {
    if (!interrupted) throw err;
    say(`interrupted: ${done} of ${seeds.length} seeds finished, ${failed.length} failed; the ones in flight were cut off (${err instanceof Error ? err.message : String(err)})`);
    return failed.length ? 1 : 130;
  } finally {
    await stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error('simulate: could not run:', err instanceof Error ? err.stack ?? err.message : err);
  process.exit(2);
});
