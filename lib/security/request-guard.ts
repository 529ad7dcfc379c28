/**
 * Checks every request passes before any route sees it (proxy.ts). Pure functions of the URL,
 * method and headers, so they are tested without a server.
 */

/**
 * A path whose percent-encoding does not decode (`%ZZ`, a lone `%E0`) or that decodes to a NUL
 * byte. Next would fail to decode such a dynamic segment deep inside routing (a 500); here it
 * is a 400 before anything runs.
 */
export function isMalformedPath(pathname: string): boolean {
  for (const segment of pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return true;
    }
    if (decoded.includes('\u0000')) return true;
  }
  return false;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery: a mutation that a browser could send with the merchant's cookies
 * (it carries cookies, or is a server action) must say it comes from our own pages:
 * `Sec-Fetch-Site: same-origin` (every current browser sends it), or an `Origin` equal to the
 * app's configured origin (APP_URL). A missing signal is refused too. `Host` and
 * `X-Forwarded-Host` are never consulted: a client can set them, so they prove nothing.
 * Requests without cookies (PSP webhooks, merchant API keys, server-to-server) cannot ride a
 * session and pass.
 * Returns why the request is refused, or null.
 */
export function crossSiteMutation(method: string, headers: Headers, allowedOrigins: readonly string[]): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const rideable = headers.has('cookie') || headers.has('next-action');
  if (!rideable) return null;
  const site = headers.get('sec-fetch-site');
  const origin = headers.get('origin');
  // Set by the browser itself; a page on another site cannot make it say same-origin.
  if (site === 'same-origin') return null;
  if (site && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  if (!origin) return 'no Origin or Sec-Fetch-Site header';
  if (!allowedOrigins.includes(origin)) return `Origin ${origin} is not this app`;
  return null;
}

/** The origins our own pages are served from: APP_URL's, plus localhost/127.0.0.1 twins in development. */
export function appOrigins(appUrl: string, port: number, production: boolean): string[] {
  const app = new URL(appUrl);
  if (production) return [app.origin];
  return [...new Set([app.origin, `${app.protocol}//localhost:${port}`, `${app.protocol}//127.0.0.1:${port}`])];
}

/** HSTS only over https: a browser ignores it on http, and it must never pin a local http app. */
export function strictTransportSecurity(appUrl: string): string | null {
  return appUrl.startsWith('https://') ? 'max-age=31536000; includeSubDomains' : null;
}
