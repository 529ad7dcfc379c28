import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/**
 * A local Kafka-protocol cluster for development and tests: librdkafka's mock cluster (from
 * Debian's kcat/librdkafka1 package), hosted by tools/kafka-mockctl.py through ctypes. It speaks
 * the Kafka protocol over TCP but is a test broker: data is in memory, it has no controller
 * (so no admin createTopics, no idempotent producer without a transactionalId), and it does not
 * hide aborted transactions. Production uses real Kafka via KAFKA_BROKERS.
 */
export interface DevKafka {
  brokers: string[];
  /** PID of the process hosting every broker: SIGSTOP/SIGCONT pauses the whole cluster. */
  pid: number;
  /** kafka-mockctl commands: `down 1`, `up 1`, `topic NAME PARTS RF`, `rtt 1 100`. */
  control(command: string): Promise<void>;
  stop(): Promise<void>;
}

const SCRIPT = path.join(process.cwd(), 'tools', 'kafka-mockctl.py');
const LIB_CANDIDATES = ['/usr/lib/x86_64-linux-gnu/librdkafka.so.1', '/usr/lib/aarch64-linux-gnu/librdkafka.so.1', '/usr/lib/librdkafka.so.1'];

export function librdkafkaPath(): string | undefined {
  return LIB_CANDIDATES.find((p) => existsSync(p));
}

export async function startDevKafka(opts: { brokers?: number; topics?: Record<string, number> } = {}): Promise<DevKafka> {
  const lib = librdkafkaPath();
  if (!lib) throw new Error('librdkafka is not installed: run `apt-get install kcat` (npm test and npm run dev do this as root), or set KAFKA_BROKERS');
  const args = [SCRIPT, '--lib', lib, '--brokers', String(opts.brokers ?? 3)];
  for (const [name, parts] of Object.entries(opts.topics ?? {})) args.push('--topic', `${name}:${parts}`);
  // stdin stays a pipe: the cluster exits when it closes, so it dies with its parent.
  const child: ChildProcessWithoutNullStreams = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = readline.createInterface({ input: child.stdout });
  // Lines can arrive before anyone waits for them (two in one chunk): buffer them.
  const buffered: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  lines.on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else buffered.push(line);
  });
  const nextLine = () => new Promise<string>((resolve, reject) => {
    const line = buffered.shift();
    if (line !== undefined) return resolve(line);
    waiting.push(resolve);
    child.once('exit', (code) => reject(new Error(`kafka mock cluster exited (${code}): ${stderr.trim()}`)));
  });

  let bootstrap = '';
  for (let i = 0; i < 3 && !bootstrap; i++) {
    const line = await nextLine();
    if (line.startsWith('BOOTSTRAP ')) bootstrap = line.slice('BOOTSTRAP '.length).trim();
  }
  if (!bootstrap) throw new Error(`kafka mock cluster printed no bootstrap list: ${stderr.trim()}`);

  let queue = Promise.resolve();
  return {
    brokers: bootstrap.split(','),
    pid: child.pid!,
    control(command) {
      const run = queue.then(async () => {
        const answer = nextLine();
        child.stdin.write(`${command}\n`);
        const line = await answer;
        if (line !== 'OK') throw new Error(`kafka mock: "${command}" answered ${line}`);
      });
      queue = run.catch(() => {});
      return run;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
