import { randomInt } from 'node:crypto';

/**
 * Identifier shapes modelled on the ones Toss issues (reference §2.1, "observed identifier
 * shapes"), so clients that log or store them see realistic values.
 */
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DIGITS = '0123456789';

export function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `tsbx` + yyyyMMddHHmmss (KST) + 5 random alphanumerics, like Toss's `tgen_20241216235231TWGL3`. */
export function newPaymentKey(stamp: string): string {
  return `tsbx${stamp}${randomString(ALNUM, 5)}`;
}

/** `txrd_` + 27 lower-case alphanumerics, Toss's current transactionKey shape. */
export function newTransactionKey(): string {
  return `txrd_${randomString(LOWER_ALNUM, 27)}`;
}

/** Card approval number: 8 digits. */
export function newApproveNo(): string {
  return randomString(DIGITS, 8);
}

/** A masked card number as Toss shows it, e.g. `43301234****123*`. */
export function newMaskedCardNumber(): string {
  return `4330${randomString(DIGITS, 4)}****${randomString(DIGITS, 3)}*`;
}

/** A webhook transmission id, `whtrans_` + 27 lower-case alphanumerics (Toss's prefix). */
export function newTransmissionId(): string {
  return `whtrans_${randomString(LOWER_ALNUM, 27)}`;
}

/** A test virtual account number: `X` + 13 digits (Toss's test accounts start with `X` and receive nothing real). */
export function newVirtualAccountNumber(): string {
  return `X${randomString(DIGITS, 13)}`;
}

/** A virtual account's `secret`: `ps_` + 28 alphanumerics, the shape observed at Toss. */
export function newPaymentSecret(): string {
  return `ps_${randomString(ALNUM, 28)}`;
}
