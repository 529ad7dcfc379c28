import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '@/db/client';

/**
 * A new postgres.js connection first reads the server's array types. If the connection is lost
 * during that query (a PostgreSQL restart at the wrong moment), postgres.js 3.4.9 as published
 * leaves the query's rejection unhandled, and Node 20 kills the process for it: a web process or a
 * worker would die of one badly timed restart. scripts/patch-dependencies.mjs handles it; this test
 * cuts the connection exactly there, through a TCP proxy that closes both sides when the type query
 * goes by.
 */
const { inject } = await import('vitest');
const target = new URL(inject('databaseUrl'));

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);

let cuts = 0;
const proxy = net.createServer((client) => {
  const server = net.connect(Number(target.port), target.hostname);
  client.on('data', (chunk) => {
    if (cuts === 0 && chunk.includes('typarray')) {
      cuts++;
      // A reset, as from a server that went away mid-query (ECONNRESET on the client's side).
      client.resetAndDestroy();
      server.destroy();
      return;
    }
    server.write(chunk);
  });
  server.on('data', (chunk) => client.write(chunk));
  client.on('error', () => server.destroy());
  server.on('error', () => client.destroy());
  client.on('close', () => server.destroy());
  server.on('close', () => client.destroy());
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await new Promise((r) => proxy.close(r));
});

describe('a connection lost while postgres.js reads the array types', () => {
  it('fails or retries the first query, leaves no unhandled rejection, and the pool works after', async () => {
    const url = new URL(target);
    url.port = String((proxy.address() as net.AddressInfo).port);
    const database = connect(url.toString(), { max: 1, appName: 'type-fetch-loss' });
    try {
      await database.db.execute(sql`select 1 as ok`).catch(() => 'failed');
      await new Promise((r) => setTimeout(r, 300)); // a stray rejection surfaces by now
      expect(cuts).toBe(1);
      expect(unhandled.map(String)).toEqual([]);
      const rows = (await database.db.execute(sql`select 2 as ok`)) as unknown as { ok: number }[];
      expect(rows[0]!.ok).toBe(2);
    } finally {
      await database.sql.end({ timeout: 1 });
    }
  });
});
