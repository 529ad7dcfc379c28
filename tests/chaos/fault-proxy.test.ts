import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '@/scripts/lib/chaos/fault-proxy';

/**
 * The chaos run's TCP fault proxy against a real echo server over loopback: it forwards both ways,
 * holds bytes for its latency, resets connections with an RST, and forwards nothing during a
 * black hole (then lets the held bytes through).
 */
let echo: net.Server;
let proxy: FaultProxy;

beforeEach(async () => {
  echo = net.createServer((s) => {
    s.on('error', () => {}); // the resets below reach the server's side too
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  proxy = await startFaultProxy({ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port });
});

afterEach(async () => {
  await proxy.close();
  await new Promise((r) => echo.close(r));
});

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: proxy.port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends `text` and resolves with what came back once it is all there (or rejects on error). */
function roundTrip(s: net.Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.off('data', onData);
        resolve(got);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.write(text);
  });
}

describe('fault proxy', () => {
  it('forwards bytes both ways, a large payload intact', async () => {
    const s = await connect();
    const big = 'x'.repeat(3 << 20) + 'end';
    expect(await roundTrip(s, 'hello')).toBe('hello');
    expect(await roundTrip(s, big)).toBe(big);
    expect(proxy.stats.connections).toBe(1);
    s.destroy();
  });

  it('adds the latency it is set to, each way', async () => {
    const s = await connect();
    proxy.setLatency(150);
    const started = performance.now();
    expect(await roundTrip(s, 'slow')).toBe('slow');
    // Two one-way delays of 150 ms each (a lower bound only: the machine may be slower, never faster).
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    s.destroy();
  });

  it('resets open connections with an RST', async () => {
    const s = await connect();
    await roundTrip(s, 'up');
    const failed = new Promise<string>((resolve) => s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message)));
    expect(proxy.reset()).toBe(1);
    expect(await failed).toBe('ECONNRESET');
    expect(proxy.stats.resets).toBe(1);
    // New connections work again at once.
    const t = await connect();
    expect(await roundTrip(t, 'again')).toBe('again');
    t.destroy();
  });

  it('resets only the connections picked', async () => {
    const sockets = await Promise.all([connect(), connect(), connect(), connect()]);
    await Promise.all(sockets.map((s) => roundTrip(s, 'up')));
    sockets.forEach((s) => s.on('error', () => {}));
    let n = 0;
    expect(proxy.reset(() => n++ % 2 === 0)).toBe(2);
    expect(proxy.open).toBe(2);
    sockets.forEach((s) => s.destroy());
  });

  it('forwards nothing during a black hole, then delivers what it held', async () => {
    const s = await connect();
    await roundTrip(s, 'up');
    const hole = proxy.blackHole(400);
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.write('held');
    // A connection opened during the hole is accepted but goes nowhere yet either.
    const late = await connect();
    let lateGot = '';
    late.on('data', (d) => (lateGot += d.toString()));
    late.write('late');
    await new Promise((r) => setTimeout(r, 250));
    expect(got).toBe('');
    expect(lateGot).toBe('');
    await hole;
    await expect.poll(() => got + '|' + lateGot, { timeout: 5_000 }).toBe('held|late');
    expect(proxy.stats.blackHoles).toBe(1);
    s.destroy();
    late.destroy();
  });
});
