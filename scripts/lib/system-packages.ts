import { execFileSync } from 'node:child_process';
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
