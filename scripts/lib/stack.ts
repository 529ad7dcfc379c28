/**
 * The whole system as separate OS processes, for benchmarks and fault runs: an embedded
 * PostgreSQL of its own, optionally a local Apache Kafka, the PSP sandbox server
 * (`npm run sandbox`, with its webhook sender), `next start` on the production build, and any of
 * the workers. Each process can be killed and started again, and
 * PostgreSQL can be restarted, while the rest keeps running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ensureDatabase, freePort, startEmbeddedPostgres, type EmbeddedPostgres } from '@/db/embedded';
import type { LocalKafka } from '@/lib/kafka/local-cluster';
import { parseEnv } from '@/lib/env';
import { startFaultProxy, type FaultProxy } from './chaos/fault-proxy';
import { runLocalKafka } from './local-kafka';
import { migrateAndSeed } from './prepare-database';

export const WORKERS = {
  relay: 'workers/outbox-relay.ts',
  consumers: 'workers/consumers/index.ts',
  recovery: 'workers/recovery.ts',
} as const;
export type WorkerName = keyof typeof WORKERS;

export interface StackOptions {
  /** Working directory of this run (PostgreSQL's data goes in `<dir>/pg`); must be enterable by others when root. */
  dir: string;
  kafka?: boolean;
  /** Nodes of the local Apache Kafka (default 1; 3 = replication factor 3, min.insync.replicas=2). */
  kafkaNodes?: number;
  workers?: WorkerName[];
  /** Extra environment for every process (pool sizes, log levels, worker timings). */
  env?: Record<string, string>;
  /**
   * A database of its own on the same server for the PSP sandbox (benchmarks: its statements
   * counted apart); unset = schema `sandbox` in the app's database (chaos checks join the two).
   */
  sandboxDatabase?: string;
  /**
   * Fault-injecting TCP proxies (scripts/lib/chaos/fault-proxy.ts) between the web server and
   * workers and the PSP sandbox's API, and between them and PostgreSQL. The sandbox itself, the
   * shoppers' window and the run's own checks connect directly.
   */
  faultProxies?: boolean;
  /** Extra PostgreSQL settings (`-c name=value`). */
  pgSettings?: Record<string, string>;
  /**
   * Web server processes: unset = `next start` (one process, one core); N = scripts/web-cluster.cjs
   * with N workers on the same port.
   */
  webWorkers?: number;
  /** Extra Node options for the web process only (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  webNodeArgs?: string[];
  /** Each line a process prints, with its name; default: dropped. */
  onLine?: (process: string, line: string) => void;
  /** A process exited without being told to (kill() was not called): it crashed or gave up. */
  onUnexpectedExit?: (process: string, code: number | null, signal: NodeJS.Signals | null) => void;
  say: (line: string) => void;
}

/** One process of the stack that can be killed and started again. */
export interface StackProcess {
  readonly name: string;
  readonly running: boolean;
  /** OS process id while running (benchmarks read its CPU time from /proc). */
  readonly pid: number | undefined;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface Stack {
  baseUrl: string;
  databaseUrl: string;
  pg: EmbeddedPostgres;
  kafka?: LocalKafka;
  web: StackProcess;
  /** The PSP sandbox server, as Toss would be: its own process on its own port. */
  sandbox: StackProcess;
  sandboxUrl: string;
  /** The sandbox's operator credential (its control routes: faults, webhook settings). */
  sandboxOperatorToken: string;
  workers: Map<WorkerName, StackProcess>;
  /** The environment the processes run with (for CLI tasks run beside them). */
  env: NodeJS.ProcessEnv;
  /** The PSP sandbox's secret key the app was seeded with (the environment's, or the default). */
  pspSecretKey: string;
  /** With `faultProxies`: app → PSP API and app → PostgreSQL. */
  proxies?: { psp: FaultProxy; postgres: FaultProxy };
  stop(): Promise<void>;
}

/** Runs `next build` when there is no production build yet. */
export function ensureProductionBuild(say: (line: string) => void, force = false): void {
  if (!force && existsSync(path.join('.next', 'BUILD_ID'))) return;
  say('no production build yet: running `next build` (about 30 s)');
  const result = spawnSync(process.execPath, [nextBin(), 'build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error('next build failed');
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { say } = opts;
  say('starting PostgreSQL (embedded, durable settings)');
  const pg = await startEmbeddedPostgres({ dir: path.join(opts.dir, 'pg'), port: 0, database: 'won_checkout', settings: opts.pgSettings });
  const port = await freePort();
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const proxies = opts.faultProxies
    ? {
        psp: await startFaultProxy({ host: '127.0.0.1', port: sandboxPort }),
        postgres: await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(pg.url).port) }),
      }
    : undefined;
  const appDatabaseUrl = new URL(pg.url);
  if (proxies) appDatabaseUrl.port = String(proxies.postgres.port);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: appDatabaseUrl.toString(),
    PORT: String(port),
    APP_URL: `http://127.0.0.1:${port}`,
    BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
    REFUND_ACCOUNT_KEY: randomBytes(32).toString('base64'),
    // The chaos run's webhook receiver is on this machine: opt in to private webhook addresses.
    WEBHOOK_ALLOW_PRIVATE_URLS: '1',
    LOG_LEVEL: 'warn',
    TOSS_API_BASE: proxies ? `http://127.0.0.1:${proxies.psp.port}` : sandboxUrl,
    TOSS_WINDOW_URL: `${sandboxUrl}/window`,
    ...opts.env,
  };
  const appEnv = parseEnv(env);
  await migrateAndSeed(pg.url, say);
  const sandboxOperatorToken = randomBytes(24).toString('base64url');
  let sandboxDatabaseUrl = pg.url;
  if (opts.sandboxDatabase) {
    await ensureDatabase(pg.url, opts.sandboxDatabase);
    const u = new URL(pg.url);
    u.pathname = `/${opts.sandboxDatabase}`;
    sandboxDatabaseUrl = u.toString();
  }
  const sandboxEnv: NodeJS.ProcessEnv = {
    ...env,
    SANDBOX_DATABASE_URL: sandboxDatabaseUrl,
    SANDBOX_PORT: String(sandboxPort),
    SANDBOX_OPERATOR_TOKEN: sandboxOperatorToken,
    // A private run on this machine: the demo keys (the app's defaults) are fine here.
    SANDBOX_ALLOW_DEMO_KEYS: '1',
    SANDBOX_MERCHANT_URL: `http://127.0.0.1:${port}`,
  };
  const kafka = opts.kafka ? await runLocalKafka(env, say, { nodes: opts.kafkaNodes }) : undefined;

  const hooks = { onLine: opts.onLine ?? (() => {}), onUnexpectedExit: opts.onUnexpectedExit ?? (() => {}) };
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = opts.webWorkers ? [path.join('scripts', 'web-cluster.cjs')] : [nextBin(), 'start'];
  const webEnv = opts.webWorkers ? { ...env, WEB_CONCURRENCY: String(opts.webWorkers) } : env;
  const web = managedProcess('web', [...(opts.webNodeArgs ?? []), ...server, '-p', String(port)], webEnv, hooks, () => waitForHttp(`${baseUrl}/api/products`));
  const sandbox = managedProcess('sandbox', ['--import', 'tsx', path.join('sandbox', 'main.ts')], sandboxEnv, hooks, () => waitForHttp(`${sandboxUrl}/healthz`));
  const workers = new Map<WorkerName, StackProcess>();
  for (const name of opts.workers ?? []) {
    workers.set(name, managedProcess(name, ['--import', 'tsx', WORKERS[name]], env, hooks));
  }
  say(`starting the PSP sandbox on ${sandboxUrl}, next start on ${baseUrl}${workers.size ? ` and workers: ${[...workers.keys()].join(', ')}` : ''}`);
  await sandbox.start();
  await web.start();
  for (const w of workers.values()) await w.start();

  return {
    baseUrl,
    databaseUrl: pg.url,
    pg,
    kafka,
    web,
    sandbox,
    sandboxUrl,
    sandboxOperatorToken,
    workers,
    env,
    pspSecretKey: appEnv.TOSS_SECRET_KEY,
    proxies,
    async stop() {
      for (const p of [...workers.values(), web, sandbox]) await p.kill('SIGTERM');
      await kafka?.stop();
      await proxies?.psp.close();
      await proxies?.postgres.close();
      await pg.stop();
    },
  };
}

/** The Next.js CLI of this project. */
export function nextBin(): string {
  return path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
}

function managedProcess(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  hooks: Required<Pick<StackOptions, 'onLine' | 'onUnexpectedExit'>>,
  ready: () => Promise<void> = async () => {},
): StackProcess {
  let child: ChildProcess | undefined;
  // Processes we are stopping on purpose; any other exit is reported.
  const killed = new WeakSet<ChildProcess>();
  return {
    name,
    get pid() {
      return child?.pid;
    },
    get running() {
      return !!child && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (this.running) return;
      const c = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      for (const stream of [c.stdout!, c.stderr!]) {
        readline.createInterface({ input: stream }).on('line', (line) => hooks.onLine(name, line));
      }
      c.once('exit', (code, signal) => {
        if (!killed.has(c)) hooks.onUnexpectedExit(name, code, signal);
      });
      await ready();
    },
    async kill(signal = 'SIGTERM') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      killed.add(c);
      c.kill(signal);
      // A graceful stop that hangs becomes a hard one: the stack must always come down.
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
