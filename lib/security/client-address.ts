import ipaddr from 'ipaddr.js';

/**
 * The client's address, as far as it can be known. `x-won-peer-address` is the TCP peer, set
 * (overwritten) by our own server (scripts/web-cluster.cjs) before Next sees the request, so a
 * client cannot choose it. `X-Forwarded-For` is believed only hop by hop from the right, and only
 * while the hop it came from is a configured trusted proxy (TRUSTED_PROXIES: addresses or CIDRs).
 * A client that sends its own X-Forwarded-For to an app without a trusted proxy changes nothing.
 */
export const PEER_ADDRESS_HEADER = 'x-won-peer-address';
/** The resolved client address, set by the app for Better Auth (overwriting whatever the client sent). */
export const CLIENT_ADDRESS_HEADER = 'x-won-client-address';

export function parseTrustedProxies(value: string | undefined): [ipaddr.IPv4 | ipaddr.IPv6, number][] {
  if (!value) return [];
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const a = ipaddr.parse(entry);
    return [a, a.kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number];
  });
}

const normalise = (address: string): ipaddr.IPv4 | ipaddr.IPv6 | null => {
  if (!ipaddr.isValid(address)) return null;
  const a = ipaddr.parse(address);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
};

function isTrusted(address: string, trusted: [ipaddr.IPv4 | ipaddr.IPv6, number][]): boolean {
  const a = normalise(address);
  return !!a && trusted.some(([range, bits]) => range.kind() === a.kind() && a.match([range, bits] as never));
}

/** The client address for rate limits and logs; 'unknown' when no peer address reached us. */
export function clientAddress(headers: Headers, trustedProxies: [ipaddr.IPv4 | ipaddr.IPv6, number][]): string {
  const peer = headers.get(PEER_ADDRESS_HEADER)?.trim();
  if (!peer) return 'unknown';
  let client = normalise(peer)?.toString() ?? peer;
  if (!isTrusted(client, trustedProxies)) return client;
  const hops = (headers.get('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalise(hops[i]!);
    if (!hop) return client; // garbage from beyond our proxies: stop at the last hop we trust
    client = hop.toString();
    if (!isTrusted(client, trustedProxies)) return client;
  }
  return client;
}
