import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${port}`;
/** The PSP sandbox server beside the app, as Toss would be (default: the port after the app's). */
const sandboxPort = Number(process.env.E2E_SANDBOX_PORT ?? port + 1);
export const sandboxURL = `http://127.0.0.1:${sandboxPort}`;
/** The app's embedded PostgreSQL data (a spec that runs a recovery pass finds the server by it). */
export const appPgDir = path.join(os.tmpdir(), `won-e2e-pg-${port}`);

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: !!process.env.CI,
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  // The production build (npm start) and the PSP sandbox server (npm run sandbox), each on a fresh
  // embedded PostgreSQL of its own (two servers: started side by side, they must not race for one).
  // A production start refuses missing secrets and seeds nothing unless asked: the test gives it a
  // secret of its own and asks for the demo data (--demo).
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : [
        {
          command: 'node --import tsx sandbox/main.ts',
          url: `${sandboxURL}/healthz`,
          timeout: 120_000,
          reuseExistingServer: !process.env.CI,
          stdout: 'pipe',
          env: {
            SANDBOX_PORT: String(sandboxPort),
            SANDBOX_MERCHANT_URL: baseURL,
            EMBEDDED_PG_DIR: path.join(os.tmpdir(), `won-e2e-sandbox-pg-${sandboxPort}`),
            EMBEDDED_PG_PORT: '0',
            EMBEDDED_PG_FRESH: '1',
            DATABASE_URL: '',
            SANDBOX_DATABASE_URL: '',
          },
        },
        {
          command: 'npx tsx scripts/start.ts --demo',
          url: `${baseURL}/api/products`,
          timeout: 120_000,
          reuseExistingServer: !process.env.CI,
          stdout: 'pipe',
          env: {
            PORT: String(port),
            EMBEDDED_PG_DIR: appPgDir,
            EMBEDDED_PG_PORT: '0',
            EMBEDDED_PG_FRESH: '1',
            // Every test signs in from 127.0.0.1; the production limit (5/min) is tested on its own.
            LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
            // The tea shop's login doubles as an operator, so the operator pages can be opened.
            OPERATOR_EMAILS: 'tea@demo.won',
            APP_URL: baseURL,
            BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET ?? randomBytes(32).toString('base64url'),
            REFUND_ACCOUNT_KEY: process.env.REFUND_ACCOUNT_KEY ?? randomBytes(32).toString('base64'),
            DATABASE_URL: '',
            TOSS_API_BASE: sandboxURL,
            TOSS_WINDOW_URL: `${sandboxURL}/window`,
          },
        },
      ],
});
