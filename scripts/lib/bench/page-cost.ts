/**
 * `npm run bench -- --pages N`: what one request of each shopper page costs the web process, in
 * CPU milliseconds, next to a JSON route of the same server (the floor any request pays in Next).
 * Each page is requested N times over a few keep-alive connections, alone, after the pay-flow
 * cases, for an order the run has paid; CPU comes from /proc like every other figure of the bench.
 */
import http from 'node:http';
import { processTreeCpuMs } from './cpu-usage';

export interface PageCost {
  page: string;
  path: string;
  requests: number;
  cpuMsPerRequest: number;
  p50Ms: number;
  bytes: number;
}

export interface PaidOrder {
  orderId: string;
  paymentKey: string;
  amount: string;
}

/** The pages a shopper's browser loads on the way to paying, and a JSON route to compare with. */
export function shopperPages(order: PaidOrder): { page: string; path: string }[] {
  const id = encodeURIComponent(order.orderId);
  const success = new URLSearchParams({ orderId: order.orderId, paymentKey: order.paymentKey, amount: order.amount, paymentType: 'NORMAL' });
  return [
    { page: 'JSON route (GET /api/orders/{id})', path: `/api/orders/${id}` },
    { page: 'storefront', path: '/' },
    { page: 'checkout', path: `/checkout/${id}` },
    { page: 'success redirect', path: `/checkout/success?${success}` },
    { page: 'order status', path: `/orders/${id}` },
    { page: 'sign-in', path: '/login' },
    { page: 'product list JSON (GET /api/products)', path: '/api/products' },
  ];
}

export async function measurePageCosts(opts: { baseUrl: string; webPid: number; pages: { page: string; path: string }[]; requests: number; connections?: number }): Promise<PageCost[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections ?? 4 });
  try {
    const out: PageCost[] = [];
    for (const { page, path } of opts.pages) {
      const url = new URL(path, opts.baseUrl);
      await get(agent, url); // the first request of a route loads its code: not counted
      const latencies: number[] = [];
      let bytes = 0;
      let next = 0;
      const before = processTreeCpuMs(opts.webPid);
      await Promise.all(Array.from({ length: opts.connections ?? 4 }, async () => {
        while (next++ < opts.requests) {
          const started = performance.now();
          bytes = await get(agent, url);
          latencies.push(performance.now() - started);
        }
      }));
      const cpu = processTreeCpuMs(opts.webPid) - before;
      latencies.sort((a, b) => a - b);
      out.push({ page, path, requests: opts.requests, cpuMsPerRequest: cpu / opts.requests, p50Ms: latencies[Math.floor(latencies.length / 2)] ?? 0, bytes });
    }
    return out;
  } finally {
    agent.destroy();
  }
}

/** GET, failing on anything but 200 (a page that errors would measure its error page). */
function get(agent: http.Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { accept: 'text/html,application/json' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`GET ${url.pathname} answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
