#!/usr/bin/env node
/**
 * The production web server on every core: `next start` is one Node process, so one core. With
 * WEB_CONCURRENCY=N (default: the number of cores) this forks N workers, each serving the
 * production build (Next's documented custom-server API) on the same port; the kernel spreads
 * connections between them. A worker that dies is replaced. Plain CommonJS so it runs on bare
 * Node without a TypeScript loader in the request path.
 *
 * Usage: node scripts/web-cluster.cjs [-p PORT]   (PORT env also works; default 3000)
 */
const cluster = require('node:cluster');
const http = require('node:http');
const os = require('node:os');

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('Usage: node scripts/web-cluster.cjs [-p PORT]\nServes the production build (.next) with WEB_CONCURRENCY worker processes (default: one per core).');
  process.exit(0);
}
const portFlag = process.argv.indexOf('-p');
const port = Number(portFlag > 0 ? process.argv[portFlag + 1] : process.env.PORT ?? 3000);
const workers = Number(process.env.WEB_CONCURRENCY ?? os.availableParallelism());
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`invalid port: ${process.argv[portFlag + 1] ?? process.env.PORT}`);
  process.exit(2);
}
if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
  console.error(`WEB_CONCURRENCY must be a whole number from 1 to 64 (got ${process.env.WEB_CONCURRENCY})`);
  process.exit(2);
}

if (cluster.isPrimary) {
  // Let the kernel hand each connection to whichever worker accepts it (SO_REUSEPORT-style
  // shared listen socket) instead of the primary passing every connection on round-robin.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  let ready = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('message', (_worker, message) => {
    if (message === 'ready' && ++ready === workers) console.log(`✓ Ready: ${workers} workers on http://localhost:${port}`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  const stop = (signal) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    let left = Object.keys(cluster.workers ?? {}).length;
    if (left === 0) process.exit(0);
    cluster.on('exit', () => --left === 0 && process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGTERM'));
} else {
  const next = require('next');
  const app = next({ dev: false, dir: process.cwd(), hostname: 'localhost', port });
  const handle = app.getRequestHandler();
  app.prepare().then(() => {
    http.createServer((req, res) => {
      // The TCP peer, overwriting anything the client sent: the app's only unforgeable client
      // address (lib/security/client-address.ts; X-Forwarded-For counts only from TRUSTED_PROXIES).
      req.headers['x-won-peer-address'] = req.socket.remoteAddress ?? '';
      handle(req, res);
    }).listen(port, () => process.send?.('ready'));
  }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
