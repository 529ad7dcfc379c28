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
  /** A seed without a result after this long is reported as hung (default 5 min; one takes ~2 s). */
  seedTimeoutMs?: number;
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
      const r = await withinTimeLimit(seed, opts.steps, opts.seedTimeoutMs ?? 300_000, (watch) => runSeed(seed, databases, opts.steps, watch));
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

/**
 * A seed that never finishes is a failure, not a silent stall: a transaction waiting for a
 * connection its own pool cannot give (or any lock PostgreSQL cannot see as a deadlock) once hung
 * two seeds of a 10,000-seed run for an hour without a word. The hung seed keeps its database
 * until the run ends; the others go on.
 */
export async function withinTimeLimit(seed: number, steps: number, limitMs: number, run: (watch: (trace: string[]) => void) => Promise<SeedResult>): Promise<SeedResult> {
  let trace: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const running = run((t) => (trace = t));
  const hung = new Promise<SeedResult>((resolve) => {
    timer = setTimeout(() => resolve({
      seed, steps, ok: false, trace: [...trace], violations: [], ms: performance.now() - started,
      error: `hung: no result after ${Math.round(limitMs / 1000)} s, in the step after the trace's last line (a query waiting for a lock or a pooled connection that never comes)`,
    }), limitMs);
  });
  try {
    return await Promise.race([running, hung]);
  } finally {
    clearTimeout(timer);
    running.catch(() => undefined); // ends (or fails) when the run drops its databases
  }
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
