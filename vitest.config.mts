import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': import.meta.dirname } },
  test: {
    // Playwright's specs live in e2e/ and are run by Playwright, not vitest.
    include: ['tests/**/*.test.ts', 'sandbox/tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global-setup.ts'],
    setupFiles: ['tests/setup/server-only-stub.ts', 'tests/setup/kafka-namespace.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
