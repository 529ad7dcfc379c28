import http from 'node:http';
import type { Registry } from 'prom-client';

/**
 * Liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics) for a worker.
 * Port 0 = a free port (printed in the worker's start log).
 */
export function startHealthServer(opts: { port: number; registry: Registry; ready: () => boolean }): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200).end('ok');
    if (req.url === '/readyz') return void res.writeHead(opts.ready() ? 200 : 503).end(opts.ready() ? 'ready' : 'not ready');
    if (req.url === '/metrics') {
      try {
        const body = await opts.registry.metrics();
        return void res.writeHead(200, { 'content-type': opts.registry.contentType }).end(body);
      } catch (err) {
        return void res.writeHead(500).end(String(err));
      }
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => {
    server.listen(opts.port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : opts.port,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
