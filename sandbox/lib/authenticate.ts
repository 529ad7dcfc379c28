import type { DbOrTx } from '../db/client';
import { PspError } from './errors';
import { findMerchantBySecretKey, type PspMerchant } from './merchants';

/**
 * Toss's API authentication (reference §0, §9): `Authorization: Basic base64(secretKey + ':')`.
 * No header, another scheme or an unknown key → 401 UNAUTHORIZED_KEY (what real responses show);
 * a Basic credential whose decoded form does not end with ':' → 403 INCORRECT_BASIC_AUTH_FORMAT.
 * Throws PspError; returns the merchant the key belongs to.
 */
export async function authenticate(db: DbOrTx, authorization: string | null): Promise<PspMerchant> {
  const match = /^Basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new PspError('UNAUTHORIZED_KEY');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  if (!decoded.endsWith(':')) throw new PspError('INCORRECT_BASIC_AUTH_FORMAT');
  const secretKey = decoded.slice(0, -1);
  // A NUL byte cannot be in any key (and PostgreSQL text cannot hold one): unknown, not a 500.
  const merchant = secretKey && !secretKey.includes('\u0000') ? await findMerchantBySecretKey(db, secretKey) : undefined;
  if (!merchant) throw new PspError('UNAUTHORIZED_KEY');
  return merchant;
}
