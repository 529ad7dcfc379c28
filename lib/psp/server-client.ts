import 'server-only';
import { env } from '@/lib/env';
import { createTossClient, type TossClient } from './toss-client';

let client: TossClient | undefined;

/** The PSP client configured from env (sandbox locally, api.tosspayments.com in production). */
export function pspClient(): TossClient {
  const e = env();
  client ??= createTossClient({ baseUrl: e.TOSS_API_BASE, secretKey: e.TOSS_SECRET_KEY, timeoutMs: e.TOSS_TIMEOUT_MS });
  return client;
}
