import 'server-only';
import { db } from '@/db';
import { createAuth, type Auth } from './auth';

const holder = globalThis as unknown as { __auth?: Auth };

/** The app's one Better Auth instance (built on first use: the database URL is known at run time). */
export function auth(): Auth {
  holder.__auth ??= createAuth(db());
  return holder.__auth;
}
