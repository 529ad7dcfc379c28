/**
 * A fault-injecting TCP proxy on loopback, for the chaos run's network faults (this kernel has no
 * `tc netem`). It sits between a client (the web server, the workers) and a server (the PSP
 * sandbox, PostgreSQL) and can, while connections are open:
 *   - add latency: every chunk, each way, is forwarded `latencyMs` after it arrived (order kept);
 *   - reset connections: a TCP RST to both ends of all or some of the open connections, as a
 *     middlebox or a restarted NAT does;
 *   - black-hole the path for a while: connections are accepted and bytes are read, but nothing is
 *     forwarded (nor connected upstream) until the hole ends, as a route that drops packets while
 *     TCP retransmits; afterwards the held bytes flow, to whoever is still waiting for them.
 * It knows nothing about the protocol it carries, so it works for HTTP and PostgreSQL alike.
 */
import net from 'node:net';

export interface FaultProxyStats {
  connections: number;
  /** Connections reset on purpose. */
  resets: number;
  blackHoles: number;
}

export interface FaultProxy {
  /** Where clients connect: 127.0.0.1:port. */
  readonly port: number;
  readonly stats: FaultProxyStats;
  /** Connections open now. */
  readonly open: number;
  /** Latency added to every chunk in each direction from now on (0 = none). */
  setLatency(ms: number): void;
  /**
   * Resets the open connections for which `pick()` says yes (default: all) with an RST on both
   * sides. Returns how many were reset.
   */
  reset(pick?: () => boolean): number;
  /** Forwards nothing for `ms`, then lets the held bytes through. Resolves when the hole ends. */
  blackHole(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Held chunks above this make the reading side pause (the proxy must not buffer without bound). */
const HIGH_WATER_BYTES = 1 << 20;

export async function startFaultProxy(target: { host: string; port: number }, listen: { host?: string; port?: number } = {}): Promise<FaultProxy> {
  let latencyMs = 0;
  /** Resolves when the current black hole ends; undefined while none. */
  let hole: Promise<void> | undefined;
  const stats: FaultProxyStats = { connections: 0, resets: 0, blackHoles: 0 };
  const pairs = new Set<{ client: net.Socket; upstream?: net.Socket }>();

  // Half-open allowed: one side's FIN is forwarded as a FIN, not taken as the end of both ways.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    stats.connections++;
    const pair: { client: net.Socket; upstream?: net.Socket } = { client };
    pairs.add(pair);
    client.setNoDelay(true);
    // Bytes from the client wait here until the upstream connection exists.
    const early: Buffer[] = [];
    const collect = (chunk: Buffer) => early.push(chunk);
    client.on('data', collect);
    const teardown = () => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', teardown);
    client.on('close', teardown);

    // A connection made during a black hole is accepted but not connected onwards until it ends.
    void (hole ?? Promise.resolve()).then(() => {
      if (client.destroyed) return;
      const upstream = net.connect({ ...target, allowHalfOpen: true });
      pair.upstream = upstream;
      upstream.setNoDelay(true);
      upstream.on('error', teardown);
      upstream.on('close', teardown);
      upstream.once('connect', () => {
        client.off('data', collect);
        const toUpstream = forward(client, upstream);
        for (const chunk of early) toUpstream(chunk);
        forward(upstream, client);
      });
    });
  });

  /** Pipes `from` → `to` through the delay line; returns the function that queues a chunk. */
  function forward(from: net.Socket, to: net.Socket): (chunk: Buffer) => void {
    let chain = Promise.resolve();
    let held = 0;
    const push = (chunk: Buffer) => {
      const due = Date.now() + latencyMs;
      held += chunk.length;
      if (held > HIGH_WATER_BYTES) from.pause();
      chain = chain.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        while (hole) await hole;
        held -= chunk.length;
        if (held <= HIGH_WATER_BYTES && from.isPaused()) from.resume();
        if (!to.destroyed) to.write(chunk);
      });
    };
    from.on('data', push);
    const end = () => {
      chain = chain.then(() => {
        if (!to.destroyed) to.end();
      });
    };
    if (from.readableEnded) end();
    else from.on('end', end);
    return push;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    stats,
    get open() {
      return pairs.size;
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    reset(pick = () => true) {
      let n = 0;
      for (const pair of [...pairs]) {
        if (!pick()) continue;
        n++;
        pairs.delete(pair);
        pair.client.resetAndDestroy();
        pair.upstream?.resetAndDestroy();
      }
      stats.resets += n;
      return n;
    },
    async blackHole(ms) {
      while (hole) await hole; // one hole at a time
      stats.blackHoles++;
      hole = sleep(ms).then(() => {
        hole = undefined;
      });
      await hole;
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
