import { randomUUID } from 'node:crypto';

/**
 * Ids carry a type prefix so logs and URLs say what they point at. The random part is a UUID
 * without dashes: 32 characters of [0-9a-f], so `ord_…` (36 chars) is a valid Toss orderId
 * (6–64 characters of letters, digits, - and _).
 */
export type IdPrefix = 'mer' | 'prd' | 'ord' | 'pay' | 'jnl' | 'acc' | 'evt' | 'cfm' | 'rfd' | 'rcn' | 'rcl' | 'key' | 'usr';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
