import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { nextCookies } from 'better-auth/next-js';
import type { Db } from '@/db/client';
import { account, session, user, verification } from '@/db/schema';
import { env } from '@/lib/env';

/**
 * Merchant login with Better Auth: email + password (scrypt hashes), database sessions,
 * rate-limited sign-in, and its own CSRF/origin checks on every POST. There is no sign-up: merchant
 * logins are created by operators (the seed creates the demo merchants').
 */
export function createAuth(db: Db) {
  const e = env();
  const local = new URL(e.APP_URL);
  return betterAuth({
    appName: 'Won Checkout',
    baseURL: e.APP_URL,
    secret: e.BETTER_AUTH_SECRET,
    // The same app is reached as localhost and 127.0.0.1 in development and tests.
    trustedOrigins: [e.APP_URL, `${local.protocol}//127.0.0.1:${e.PORT}`, `${local.protocol}//localhost:${e.PORT}`],
    database: drizzleAdapter(db, { provider: 'pg', schema: { user, session, account, verification } }),
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10 },
    user: { additionalFields: { merchantId: { type: 'string', required: false, input: false } } },
    session: { expiresIn: 60 * 60 * 8, updateAge: 60 * 60 },
    // Sign-in is limited by app/api/auth's route (PostgreSQL, per account and trusted client
    // address): Better Auth's own limiter keys on a raw X-Forwarded-For and lives in one process.
    rateLimit: { enabled: false },
    // Secure cookies whenever the app is served over https (APP_URL), whatever the proxy says.
    advanced: {
      database: { generateId: () => crypto.randomUUID() },
      useSecureCookies: local.protocol === 'https:',
      ipAddress: { ipAddressHeaders: ['x-won-client-address'] },
    },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;
