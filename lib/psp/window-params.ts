import 'server-only';
import { env } from '@/lib/env';

/** What the shopper's browser needs, besides the order, to open the PSP's payment window. */
export interface WindowParams {
  clientKey: string;
  windowUrl: string;
}

export function windowParams(): WindowParams {
  const e = env();
  return { clientKey: e.TOSS_CLIENT_KEY, windowUrl: e.TOSS_WINDOW_URL };
}
