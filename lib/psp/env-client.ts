import { parseEnv } from '@/lib/env';
import { createTossClient, type TossClient } from './toss-client';

/** The PSP client for worker processes and scripts (the web app uses lib/psp/server-client). */
export function pspClientFromEnv(source: Record<string, string | undefined> = process.env): TossClient {
  const e = parseEnv(source);
  return createTossClient({ baseUrl: e.TOSS_API_BASE, secretKey: e.TOSS_SECRET_KEY, timeoutMs: e.TOSS_TIMEOUT_MS });
}
