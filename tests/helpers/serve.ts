import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FetchHandler = (req: Request) => Response | Promise<Response>;

export interface ServedHandler {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a Web-standard fetch handler over real HTTP on 127.0.0.1 and a free port, so tests talk
 * to it the way the app does: headers, status and body cross a socket. A handler that throws
 * answers 500 with the error's message (tests want to see it, not a hung request); a Response
 * whose body stream errors drops the connection (the client's fetch rejects).
 */
export async function serveFetchHandler(handler: FetchHandler): Promise<ServedHandler> {
  const server = http.createServer((incoming, outgoing) => {
    void (async () => {
      let response: Response;
      try {
        response = await handler(await toRequest(incoming));
      } catch (err) {
        response = new Response(`handler threw: ${err instanceof Error ? err.stack ?? err.message : String(err)}`, { status: 500 });
      }
      await writeResponse(response, outgoing);
    })().catch((err: unknown) => {
      // The client went away (e.g. its timeout fired) while we were answering: nothing to do.
      if (!outgoing.headersSent) outgoing.writeHead(500);
      outgoing.end();
      if (!isClientGone(err)) console.error('serveFetchHandler:', err);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}

async function toRequest(incoming: http.IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = incoming.method ?? 'GET';
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? '127.0.0.1'}`), {
    method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}

async function writeResponse(response: Response, outgoing: http.ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  let body: Buffer;
  try {
    body = Buffer.from(await response.arrayBuffer());
  } catch {
    // The body stream failed before anything was sent: drop the connection without a status
    // line, as Next does (its response writer destroys the socket), so the client sees a network
    // error. The PSP sandbox's lose-response fault relies on this.
    outgoing.destroy();
    return;
  }
  outgoing.writeHead(response.status, response.statusText || undefined, headers);
  outgoing.end(body);
}

function isClientGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
