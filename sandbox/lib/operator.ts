import { createHash, timingSafeEqual } from 'node:crypto';
import { PspError } from './errors';

/** The header that carries the operator credential to the sandbox's control routes. */
export const OPERATOR_TOKEN_HEADER = 'sandbox-operator-token';

/**
 * The sandbox's control routes (fault injection, webhook settings) act on any merchant, so a
 * merchant's secret key (which a sandbox often shares with a whole team) is not enough: the caller
 * must also hold the operator token. Compared in constant time over equal-length digests.
 */
export function requireOperator(expected: string, given: string | null): void {
  if (!given) throw new PspError('UNAUTHORIZED_KEY', `The sandbox's control routes need the operator token in the ${OPERATOR_TOKEN_HEADER} header (SANDBOX_OPERATOR_TOKEN of the sandbox).`);
  const digest = (s: string) => createHash('sha256').update(s).digest();
  if (!timingSafeEqual(digest(expected), digest(given))) {
    throw new PspError('FORBIDDEN_REQUEST', `The ${OPERATOR_TOKEN_HEADER} header does not match the sandbox's SANDBOX_OPERATOR_TOKEN.`);
  }
}
