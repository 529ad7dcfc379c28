import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFetchHandler, type ServedHandler } from './serve';

let served: ServedHandler;
let seen: { method: string; url: string; headers: Headers; body: string } | undefined;

beforeAll(async () => {
  served = await serveFetchHandler(async (req) => {
    if (new URL(req.url).pathname === '/boom') throw new Error('kaboom');
    seen = { method: req.method, url: req.url, headers: req.headers, body: await req.text() };
    const headers = new Headers({ 'content-type': 'application/json', 'x-reply': 'yes' });
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    return new Response(JSON.stringify({ echoed: seen.body }), { status: 201, headers });
  });
});
afterAll(() => served.close());

describe('serveFetchHandler', () => {
  it('listens on 127.0.0.1 and carries method, path, query, headers and body both ways', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${served.url}/psp/v1/x?a=1&b=%ED%95%9C`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' },
      body: JSON.stringify({ 한: '글' }),
    });
    expect(seen?.method).toBe('POST');
    expect(new URL(seen!.url).pathname).toBe('/psp/v1/x');
    expect(new URL(seen!.url).searchParams.get('b')).toBe('한');
    expect(seen?.headers.get('idempotency-key')).toBe('k-1');
    expect(seen?.body).toBe('{"한":"글"}');

    expect(res.status).toBe(201);
    expect(res.headers.get('x-reply')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ echoed: '{"한":"글"}' });
  });

  it('answers 500 with the error when the handler throws', async () => {
    const res = await fetch(`${served.url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('kaboom');
  });
});

describe('serveFetchHandler with a body that fails', () => {
  it('drops the connection, so the client fetch rejects as a network error', async () => {
    const broken = await serveFetchHandler(() => new Response(new ReadableStream({
      start(c) {
        c.error(new Error('lost'));
      },
    }), { status: 200 }));
    try {
      const err = await fetch(`${broken.url}/x`).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect((err as TypeError).message).toBe('fetch failed');
    } finally {
      await broken.close();
    }
  });
});
