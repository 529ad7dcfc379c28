import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { loadEnvFile } from './env-file';
import { runLocalKafka } from './local-kafka';
import { prepareDatabase } from './prepare-database';
import { nextBin, WORKERS, type WorkerName } from './stack';
import { DEMO_LOGINS } from '@/db/seed';

const HELP = (mode: string) => `Usage: npm run ${mode === 'dev' ? 'dev' : 'start'}

${mode === 'dev'
  ? 'Starts everything locally: PostgreSQL, Apache Kafka, the web app in development\nmode on http://localhost:$PORT (default 3000), the outbox relay, the consumers, the recovery worker\nand the PSP sandbox server (npm run sandbox) on $SANDBOX_PORT (default 3001).'
  : 'Serves the production build (run `npm run build` first) on http://localhost:$PORT (default 3000),\nthe merchant app only. Workers run as their own processes: npm run worker:relay, npm run\nworker:consumers; the PSP sandbox is its own server too: npm run sandbox.'}

Environment:
  PORT               port of the web app (default 3000)
  DATABASE_URL       use this PostgreSQL; unset = start the embedded one with demo data
  EMBEDDED_PG_DIR    data directory of the embedded PostgreSQL (default .data/pg)
  EMBEDDED_PG_PORT   its port (default 54329; 0 = any free port)${mode === 'start' ? `
  BETTER_AUTH_SECRET required: 32+ random characters (published demo values are refused)
  REFUND_ACCOUNT_KEY required: base64 of 32 random bytes (openssl rand -base64 32); encrypts refund accounts
  --demo             also seed the demo merchants, logins and products (never by default)` : ''}${mode === 'dev' ? `
  KAFKA_BROKERS      use this Kafka; unset = start Apache Kafka locally (one node, data in .data/kafka/dev)` : ''}
  TOSS_API_BASE, TOSS_WINDOW_URL, TOSS_CLIENT_KEY, TOSS_SECRET_KEY
                     the PSP (default: the sandbox server at http://127.0.0.1:3001 with its demo keys)${mode === 'dev' ? `
  SANDBOX_PORT       port of the sandbox dev starts (default 3001; not started when TOSS_API_BASE is set)` : ''}
A .env file in the current directory is read first (copy .env.example); variables set in the
environment win over it. See .env.example for the rest.`;

/**
 * Prepares the database (and, in dev, Kafka), runs `next dev|start` with DATABASE_URL set and,
 * in dev, the workers; stops them all together.
 */
export async function runNext(mode: 'dev' | 'start'): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP(mode));
    return;
  }
  const say = (line: string) => console.log(`[won] ${line}`);
  const envFile = loadEnvFile();
  if (envFile) say(`read ${envFile} (variables set in the environment win)`);
  // `next start` runs with NODE_ENV=production whatever is set: check its secrets here, before
  // anything starts, so a bad one stops the start at once with the variable named.
  if (mode === 'start') (process.env as Record<string, string>).NODE_ENV = 'production';
  const seedDemo = mode === 'dev' || process.argv.includes('--demo');
  const db = await prepareDatabase(say, { seedDemo });
  const port = process.env.PORT ?? '3000';
  if (seedDemo) {
    say('demo merchant logins (dashboard at /dashboard):');
    for (const l of DEMO_LOGINS) say(`  ${l.merchantName.padEnd(22)} ${l.email} / ${l.password}`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, PORT: port, NEXT_TELEMETRY_DISABLED: '1' };
  if (mode === 'dev' && db.embedded && !env.BETTER_AUTH_SECRET) {
    // Local runs on the embedded database: a session secret of their own, kept beside the data.
    // A deployment (DATABASE_URL set) must set BETTER_AUTH_SECRET itself, or the app refuses to start.
    env.BETTER_AUTH_SECRET = await orStopDatabase(db, () => localAuthSecret(db.dataDir!));
  }
  const children: ChildProcess[] = [];
  let stopKafka = async () => {};

  if (mode === 'dev') {
    if (!process.env.KAFKA_BROKERS) stopKafka = (await orStopDatabase(db, () => runLocalKafka(env, say, { dataDir: '.data/kafka/dev' }))).stop;
    for (const name of Object.keys(WORKERS) as WorkerName[]) children.push(run(name, process.execPath, ['--import', 'tsx', WORKERS[name]], env));
    // The PSP sandbox server, as Toss would be, unless a PSP is configured (then Toss is the PSP).
    if (!process.env.TOSS_API_BASE) {
      const sandbox = `http://127.0.0.1:${process.env.SANDBOX_PORT ?? 3001}`;
      env.TOSS_API_BASE = sandbox;
      env.TOSS_WINDOW_URL ??= `${sandbox}/window`;
      const shop = env.APP_URL ?? `http://localhost:${port}`;
      children.push(run('sandbox', process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], { ...env, SANDBOX_MERCHANT_URL: env.SANDBOX_MERCHANT_URL ?? shop }));
    }
  }
  say(`starting Next.js (${mode}) on http://localhost:${port}`);
  // Production serves through scripts/web-cluster.cjs (Next's custom-server API), which hands the
  // app the TCP peer address that rate limits need; one process unless WEB_CONCURRENCY says more.
  const web = mode === 'start'
    ? run('web', process.execPath, [path.join('scripts', 'web-cluster.cjs'), '-p', port], { ...env, WEB_CONCURRENCY: env.WEB_CONCURRENCY ?? '1' })
    : run('web', process.execPath, [nextBin(), mode, '-p', port], env);
  children.push(web);

  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    for (const c of children) if (c.exitCode === null) c.kill(signal);
  };
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  // Any process ending ends the whole stack: a half-running system is worse than none.
  const first = await Promise.race(children.map((c) => new Promise<number>((resolve) => c.on('exit', (code, sig) => resolve(code ?? (sig ? 1 : 0))))));
  stopAll('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.on('exit', r)) : undefined)));
  await stopKafka();
  await db.stop();
  process.exit(stopping && first === 0 ? 0 : first);
}

/** A failure after the database started must not leave its server running behind the exit. */
async function orStopDatabase<T>(db: { stop(): Promise<void> }, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await db.stop().catch(() => {});
    throw err;
  }
}

function localAuthSecret(dataDir: string): string {
  const file = path.join(path.dirname(dataDir), 'auth-secret');
  // As root from a private directory the database lives elsewhere (db/embedded.ts), so .data may not exist yet.
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function run(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  return child;
}
