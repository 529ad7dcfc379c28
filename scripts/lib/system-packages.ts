import { execFileSync } from 'node:child_process';
import { librdkafkaPath } from '@/lib/kafka/dev-cluster';

/**
 * The local Kafka-protocol cluster needs librdkafka (Debian's kcat package). Installed here when
 * missing and we are root; otherwise a clear message says what to do.
 */
export function ensureLibrdkafka(say: (line: string) => void): void {
  if (librdkafkaPath()) return;
  if (process.getuid?.() !== 0) {
    throw new Error('librdkafka is missing: install Debian\'s kcat package (sudo apt-get install kcat) or set KAFKA_BROKERS to a Kafka cluster');
  }
  say('installing kcat (librdkafka) for the local Kafka-protocol cluster');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'kcat'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** `npm run bench` measures the machine's ceiling with pgbench (Debian's postgresql-client). */
export function ensurePgbench(say: (line: string) => void): void {
  if (hasCommand('pgbench')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('pgbench is missing: install Debian\'s postgresql-client package (sudo apt-get install postgresql-client)');
  }
  say('installing postgresql-client (pgbench)');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql-client'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
