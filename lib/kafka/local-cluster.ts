import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Apache Kafka on this machine, no Docker: the broker's jars from Maven Central (tools/kafka/pom.xml,
 * copied once into .data/kafka/<version>/libs), N combined KRaft nodes (broker + controller) on
 * free loopback ports, each a JVM in its own process group. Used by `npm run dev`, the tests
 * (a shared single node; a 3-node cluster for broker faults), the benchmark and the chaos run.
 */
export const KAFKA_VERSION = '4.4.0';

export interface LocalKafkaNode {
  readonly id: number;
  /** host:port of its broker listener. */
  readonly address: string;
  /** PID of its JVM while running. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Its broker log (server.log) and JVM output (stdout.log) are in this directory. */
  readonly logDir: string;
  /** SIGKILL (or another signal) and wait for the JVM to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the JVM: a broker that hangs without closing sockets. */
  pause(): void;
  resume(): void;
  /** Starts the JVM again on the same ports and data. */
  start(): Promise<void>;
}

export interface LocalKafka {
  readonly version: string;
  readonly brokers: string[];
  readonly nodes: LocalKafkaNode[];
  /** Waits until every running node is listed by the cluster's metadata. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM to every node at once, SIGKILL after a timeout; removes a temporary data directory. */
  stop(): Promise<void>;
}

export interface LocalKafkaOptions {
  /** Combined broker+controller nodes (default 1). With 3: replication factor 3, min.insync.replicas=2. */
  nodes?: number;
  /** Kept data directory (topics and offsets survive a restart); default: a temporary one, removed on stop. */
  dataDir?: string;
  /** Maximum heap per JVM in MiB (default 512). */
  heapMb?: number;
  /**
   * C1 only (-XX:TieredStopAtLevel=1): starts faster and burns less CPU compiling, at some
   * throughput. Right for tests on a busy machine; wrong for a benchmark.
   */
  quickJit?: boolean;
  readyTimeoutMs?: number;
  say?: (line: string) => void;
}

const ROOT = process.cwd();
const POM = path.join(ROOT, 'tools', 'kafka', 'pom.xml');

/** The broker's jars, fetched with Maven the first time (about 45 MB). */
export function kafkaLibs(say: (line: string) => void = () => {}): string {
  const libs = path.join(ROOT, '.data', 'kafka', KAFKA_VERSION, 'libs');
  if (existsSync(path.join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) return libs;
  ensureCommand('mvn', 'maven', say);
  say(`fetching Apache Kafka ${KAFKA_VERSION} from Maven Central (once, into ${path.relative(ROOT, libs)})`);
  // Copied to a temporary directory, then renamed: two first runs at once cannot leave half a set.
  const tmp = `${libs}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const r = spawnSync('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mvn could not fetch Apache Kafka's jars:\n${(r.stdout + r.stderr).trim().slice(-2_000)}`);
  try {
    renameSync(tmp, libs);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(libs)) throw err; // someone else won the race: their copy is as good
  }
  return libs;
}

/** Java (and Maven, for the first fetch) from Debian when missing and root; a clear message otherwise. */
function ensureCommand(command: 'java' | 'mvn', debianPackage: string, say: (line: string) => void): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  const packages = command === 'java' ? ['openjdk-17-jre-headless'] : ['openjdk-17-jdk-headless', 'maven'];
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) {
    throw new Error(`${command} is missing: the local Apache Kafka needs Java 17+ and (once) Maven. Install them (Debian: sudo apt-get install ${packages.join(' ')}) or set KAFKA_BROKERS to a Kafka cluster.`);
  }
  say(`installing ${debianPackage === 'maven' ? packages.join(' ') : debianPackage} from Debian for the local Apache Kafka`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** A free loopback port (the kernel's choice; another process could take it before the JVM binds). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const LOG4J = `status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.kafka-request.name = kafka.request.logger
logger.kafka-request.level = warn
`;

function serverProperties(node: { id: number; port: number; controllerPort: number; logDir: string }, voters: string, count: number): string {
  const replicas = Math.min(count, 3);
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${node.logDir}`,
    `offsets.topic.replication.factor=${replicas}`,
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${replicas > 1 ? 2 : 1}`,
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${replicas > 1 ? 2 : 1}`,
    'group.initial.rebalance.delay.ms=0',
    // Topics are created explicitly (lib/kafka/create-topics.ts), as in production.
    'auto.create.topics.enable=false',
    // A small machine: fewer threads, smaller internal topics.
    'num.network.threads=2',
    'num.io.threads=4',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.num.partitions=10',
    '',
  ].join('\n');
}

/** Starts the cluster and waits until every node is listed in its metadata. */
export async function startLocalKafka(opts: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const say = opts.say ?? (() => {});
  const count = opts.nodes ?? 1;
  ensureCommand('java', 'openjdk-17-jre-headless', say);
  const libs = kafkaLibs(say);
  const temporary = !opts.dataDir;
  const dataDir = opts.dataDir ? path.resolve(opts.dataDir) : mkdtempSync(path.join(os.tmpdir(), 'won-kafka-'));
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'log4j2.properties'), LOG4J);

  const specs: { id: number; port: number; controllerPort: number; dir: string; logDir: string }[] = [];
  for (let id = 1; id <= count; id++) {
    const dir = path.join(dataDir, `node-${id}`);
    specs.push({ id, port: await freePort(), controllerPort: await freePort(), dir, logDir: path.join(dir, 'data') });
  }
  const voters = specs.map((s) => `${s.id}@127.0.0.1:${s.controllerPort}`).join(',');
  const jvm = (s: (typeof specs)[number]) => [
    `-Xms128m`, `-Xmx${opts.heapMb ?? 512}m`, '-XX:+UseSerialGC', ...(opts.quickJit ? ['-XX:TieredStopAtLevel=1'] : []),
    '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(dataDir, 'log4j2.properties')}`, `-Dkafka.logs.dir=${path.join(s.dir, 'logs')}`,
    '-cp', `${libs}/*`,
  ];

  // Storage is formatted once per node (a kept data directory keeps its cluster id); the
  // properties are written on every start, since the ports are chosen anew.
  const clusterIdFile = path.join(dataDir, 'cluster-id');
  const clusterId = existsSync(clusterIdFile) ? readFileSync(clusterIdFile, 'utf8').trim() : newClusterId();
  writeFileSync(clusterIdFile, clusterId);
  const formats = specs.map(async (s) => {
    mkdirSync(path.join(s.dir, 'logs'), { recursive: true });
    writeFileSync(path.join(s.dir, 'server.properties'), serverProperties(s, voters, count));
    if (existsSync(path.join(s.logDir, 'meta.properties'))) return;
    await new Promise<void>((resolve, reject) => {
      const p = spawn('java', [...jvm(s), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', path.join(s.dir, 'server.properties')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`formatting Kafka storage of node ${s.id} failed (${code}): ${out.trim().slice(-1_000)}`))));
    });
  });
  await Promise.all(formats);

  const nodes = specs.map((s) => createNode(s, jvm(s)));
  const brokers = specs.map((s) => `127.0.0.1:${s.port}`);
  const cluster: LocalKafka = {
    version: KAFKA_VERSION,
    brokers,
    nodes,
    waitUntilReady: (timeoutMs = opts.readyTimeoutMs ?? 120_000) => waitUntilReady(brokers, nodes, timeoutMs),
    async stop() {
      // All at once: stopped one by one, the last node waits minutes for a quorum that is gone.
      await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    for (const n of nodes) await n.start();
    await cluster.waitUntilReady();
  } catch (err) {
    await cluster.stop().catch(() => {});
    throw err;
  }
  return cluster;
}

/**
 * One JVM. It runs in its own process group (a signal to the parent's group, e.g. from a test
 * runner or `timeout`, does not reach it), so it must be told to stop: a small shell watchdog in
 * the same group holds a pipe from this process, and when the pipe closes (this process exited,
 * however it died) it sends SIGTERM to the JVM, then SIGKILL 20 s later.
 */
function createNode(spec: { id: number; port: number; dir: string }, jvmArgs: string[]): LocalKafkaNode {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const watchdog = 'exec 3<&0; (cat <&3 >/dev/null; kill -TERM $$ 2>/dev/null; sleep 20; kill -KILL $$ 2>/dev/null) & exec "$@" <&- 3<&-';

  const node: LocalKafkaNode = {
    id: spec.id,
    address: `127.0.0.1:${spec.port}`,
    logDir: path.join(spec.dir, 'logs'),
    get pid() { return child?.exitCode === null && child.signalCode === null ? child.pid : undefined; },
    get running() { return node.pid !== undefined; },
    async start() {
      if (node.running) return;
      const out = openSync(path.join(spec.dir, 'logs', 'stdout.log'), 'a');
      const c = spawn('sh', ['-c', watchdog, 'kafka-node', 'java', ...jvmArgs, 'kafka.Kafka', path.join(spec.dir, 'server.properties')], {
        detached: true,
        stdio: ['pipe', out, out],
      });
      closeSync(out);
      child = c;
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      c.on('error', () => {});
      c.stdin!.on('error', () => {});
      // The broker must not keep a script alive that is done; stop() is what ends it.
      c.unref();
      (c.stdin as unknown as { unref?: () => void }).unref?.();
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const c = child;
      if (!c || !node.running) return;
      const group = -c.pid!;
      try {
        process.kill(c.pid!, 'SIGCONT'); // a frozen JVM cannot act on SIGTERM
        process.kill(c.pid!, signal);
      } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(group, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
      await exited;
      clearTimeout(timer);
      try { process.kill(group, 'SIGKILL'); } catch { /* the watchdog is gone too */ }
    },
    pause() { if (child?.pid) process.kill(child.pid, 'SIGSTOP'); },
    resume() { if (child?.pid) process.kill(child.pid, 'SIGCONT'); },
  };
  return node;
}

async function waitUntilReady(brokers: string[], nodes: LocalKafkaNode[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const started = nodes.filter((n) => n.running);
  let last = 'no answer';
  while (Date.now() < deadline) {
    const dead = started.find((n) => !n.running);
    if (dead) throw new Error(`Kafka node ${dead.id} exited while starting: ${logTail(dead)}`);
    const admin = new Kafka({ clientId: 'won-kafka-ready', brokers: nodes.filter((n) => n.running).map((n) => n.address), logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      const { brokers: listed, controller } = await admin.describeCluster();
      if (listed.length >= started.length && controller !== null && controller >= 0) return;
      last = `${listed.length} of ${started.length} brokers listed`;
    } catch (err) {
      last = (err as Error).message;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Kafka at ${brokers.join(',')} not ready after ${timeoutMs} ms (${last})`);
}

function logTail(node: LocalKafkaNode): string {
  for (const file of ['stdout.log', 'server.log']) {
    try {
      const lines = readFileSync(path.join(node.logDir, file), 'utf8').trim().split('\n');
      if (lines.length && lines[0]) return lines.slice(-15).join('\n');
    } catch { /* not written yet */ }
  }
  return `nothing logged (see ${node.logDir})`;
}

/**
 * A KRaft cluster id: 16 random bytes in base64url, as Kafka's own Uuid. One in 64 of those
 * starts with '-', which the storage tool reads as an option ("--cluster-id/-t: expected one
 * argument"); Kafka's Uuid.randomUuid() draws again in that case, and so do we.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
