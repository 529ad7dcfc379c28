import 'server-only';
import { env } from '@/lib/env';
import { connect, type Database } from './client';

// One pool per server process; kept on globalThis so Next's dev reloads do not leak pools.
const holder = globalThis as unknown as { __database?: Database };

export function database(): Database {
  if (!holder.__database) {
    const e = env();
    if (!e.DATABASE_URL) {
      throw new Error('DATABASE_URL is not set: start the app with `npm start` or `npm run dev`, which provide one');
    }
    holder.__database = connect(e.DATABASE_URL, { max: e.DATABASE_POOL_MAX, appName: 'won-checkout-web' });
  }
  return holder.__database;
}

export const db = () => database().db;
