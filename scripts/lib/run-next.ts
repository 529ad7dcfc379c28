import { spawn } from 'node:child_process';
import path from 'node:path';
import { prepareDatabase } from './prepare-database';

const HELP = (mode: string) => `Usage: npm run ${mode === 'dev' ? 'dev' : 'start'}

Starts the checkout on http://localhost:$PORT (default 3000)${mode === 'dev' ? ' in development mode' : ' from the production build (run `npm run build` first)'}.

Environment:
  PORT               port of the web app (default 3000)
  DATABASE_URL       use this PostgreSQL; unset = start the embedded one with demo data
  EMBEDDED_PG_DIR    data directory of the embedded PostgreSQL (default .data/pg)
  EMBEDDED_PG_PORT   its port (default 54329; 0 = any free port)
  TOSS_API_BASE, TOSS_CLIENT_KEY, TOSS_SECRET_KEY
                     the PSP (default: the built-in sandbox at /psp with sandbox keys)
See .env.example for the rest.`;

/** Prepares the database, then runs `next dev|start` with DATABASE_URL set; stops both together. */
export async function runNext(mode: 'dev' | 'start'): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP(mode));
    return;
  }
  const say = (line: string) => console.log(`[won] ${line}`);
  const db = await prepareDatabase(say);
  const port = process.env.PORT ?? '3000';
  const nextBin = path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  say(`starting Next.js (${mode}) on http://localhost:${port}`);
  const child = spawn(process.execPath, [nextBin, mode, '-p', port], {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: db.url, PORT: port, NEXT_TELEMETRY_DISABLED: '1' },
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  await db.stop();
  process.exit(code);
}
