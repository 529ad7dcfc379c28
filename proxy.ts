import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { contentSecurityPolicy, SECURITY_HEADERS } from '@/lib/security/csp';
import { appOrigins, crossSiteMutation, isMalformedPath, strictTransportSecurity } from '@/lib/security/request-guard';

const refuse = (status: number, code: string, message: string) =>
  NextResponse.json({ error: { code, message } }, { status, headers: { 'cache-control': 'no-store' } });

/**
 * Runs before every request: refuses undecodable paths and cross-site mutations; pages get a
 * fresh CSP nonce per request and the security headers; with an https APP_URL, HSTS.
 */
export function proxy(request: NextRequest) {
  if (isMalformedPath(request.nextUrl.pathname)) {
    return refuse(400, 'MALFORMED_URL', 'The URL path is not valid percent-encoding.');
  }
  const e = env();
  const crossSite = crossSiteMutation(request.method, request.headers, appOrigins(e.APP_URL, e.PORT, e.NODE_ENV === 'production'));
  if (crossSite) {
    return refuse(403, 'FORBIDDEN_ORIGIN', `This change must come from the app's own pages (${crossSite}).`);
  }
  const hsts = strictTransportSecurity(e.APP_URL);
  const path = request.nextUrl.pathname;
  // API responses are JSON and get their other headers from next.config.js.
  if (path.startsWith('/api/') || path.startsWith('/psp/v1/')) {
    const response = NextResponse.next();
    if (hsts) response.headers.set('Strict-Transport-Security', hsts);
    return response;
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', csp); // Next reads it to nonce its own scripts
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.headers.set(k, v);
  if (hsts) response.headers.set('Strict-Transport-Security', hsts);
  return response;
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
