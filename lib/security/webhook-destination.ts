import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { useAgent } from 'request-filtering-agent';

/**
 * Where a merchant's webhook may go: http(s) to a public unicast address, nothing else. A URL is
 * the merchant's input, and the notifier POSTs to it from inside our network, so without this
 * rule it reaches the database port, the cloud metadata service (169.254.169.254) or any
 * loopback service (SSRF). Checked twice: when the URL is saved (every address the name resolves
 * to), and on every send against the address actually connected to (the name may resolve
 * elsewhere by then: DNS rebinding). Redirects are never followed.
 *
 * Local development may send to private addresses with WEBHOOK_ALLOW_PRIVATE_URLS=1.
 */
export const allowPrivateWebhookUrls = (source: Record<string, string | undefined> = process.env) => source.WEBHOOK_ALLOW_PRIVATE_URLS === '1';

export class WebhookDestinationError extends Error {
  override name = 'WebhookDestinationError';
}

/** A public unicast address: not loopback, private, link-local, CGNAT, multicast, reserved or unspecified. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** At save time: throws WebhookDestinationError saying why the URL may not receive webhooks. */
export async function assertPublicWebhookUrl(raw: string, allowPrivate = allowPrivateWebhookUrls()): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookDestinationError('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookDestinationError('must be an http(s) URL');
  if (url.username || url.password) throw new WebhookDestinationError('must not contain a user name or password');
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new WebhookDestinationError(`host ${host} does not resolve`);
    }
  }
  const inner = addresses.find((a) => !isPublicAddress(a));
  if (inner !== undefined) throw new WebhookDestinationError(`must reach a public address (${host} is ${inner})`);
}

/**
 * One POST to a webhook URL through an agent that checks the address of every connection it
 * opens (request-filtering-agent) and follows no redirect. Resolves with the status code; the
 * response body is read and dropped (at most 64 KiB).
 */
export function postToWebhook(url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number; allowPrivate?: boolean }): Promise<number> {
  const allowPrivate = init.allowPrivate ?? allowPrivateWebhookUrls();
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // A literal address never goes through DNS; check it here too (the agent checks names' answers).
    if (!allowPrivate && ipaddr.isValid(host) && !isPublicAddress(host)) {
      reject(new WebhookDestinationError(`${host} is not a public address`));
      return;
    }
    const agent = useAgent(url, { allowPrivateIPAddress: allowPrivate, keepAlive: false });
    const req = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      agent,
      headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
      signal: AbortSignal.timeout(init.timeoutMs),
    }, (res) => {
      let seen = 0;
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > 64 * 1024) res.destroy();
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('close', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
