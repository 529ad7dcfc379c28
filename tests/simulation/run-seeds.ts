import { execFileSync } from 'node:child_process';
import { runSeed, type SeedResult } from './run-seed';
import { SeedDatabases } from './seed-databases';

export interface RunSeedsOptions {
  /** Any database on a local PostgreSQL server; each seed gets a database of its own there. */
  databaseUrl: string;
  seeds: number[];
  steps: number;
  /** Seeds run side by side (each in its own database); 2–4 suits a 2-core machine. */
  concurrency: number;
  /** Stop starting new seeds after the first failure. */
  stopOnFailure?: boolean;
  /** Asked before each new seed: true stops starting new ones (an interrupted run). */
  shouldStop?: () => boolean;
  onResult?: (r: SeedResult) => void;
}

export interface RunSeedsSummary {
  ran: number;
  failures: SeedResult[];
  ms: number;
}

export async function runSeeds(opts: RunSeedsOptions): Promise<RunSeedsSummary> {
  const started = performance.now();
  const databases = await SeedDatabases.open(opts.databaseUrl);
  const failures: SeedResult[] = [];
  let next = 0;
  let ran = 0;
  const worker = async () => {
    while (next < opts.seeds.length && !(opts.stopOnFailure && failures.length) && !opts.shouldStop?.()) {
      const seed = opts.seeds[next++]!;
      const r = await runSeed(seed, databases, opts.steps);
      ran++;
      if (!r.ok) failures.push(r);
      opts.onResult?.(r);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  } finally {
    await databases.close();
  }
  return { ran, failures, ms: performance.now() - started };
}

/** The commit a failure report names, `-dirty` when the work tree has uncommitted changes. */
export function gitSha(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}
