import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest of the bank accounts shoppers give for refunds of virtual-account payments:
 * AES-256-GCM with a random 96-bit IV per value, the row's id as additional data (a ciphertext
 * copied onto another refund does not decrypt there), stored as `v1.<iv>.<tag>.<ciphertext>`
 * (base64url). The key is REFUND_ACCOUNT_KEY (lib/env.ts): a production start refuses it missing
 * or published (lib/security/production-secrets.ts).
 */
const VERSION = 'v1';

export function encryptField(keyBase64: string, plaintext: string, boundTo: string): string {
  const key = keyOf(keyBase64);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(boundTo, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Throws when the value was not made with this key for this row (or was altered). */
export function decryptField(keyBase64: string, stored: string, boundTo: string): string {
  const [version, iv, tag, body] = stored.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not an encrypted field of a known version');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(keyBase64), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(boundTo, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

function keyOf(keyBase64: string): Buffer {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) throw new Error('the refund account key must be 32 bytes (base64)');
  return key;
}
