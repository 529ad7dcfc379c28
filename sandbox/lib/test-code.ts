import { PspError, isTossErrorCode } from './errors';
import { isTestMerchant, type PspMerchant } from './merchants';

export const TEST_CODE_HEADER = 'TossPayments-Test-Code';

/**
 * `TossPayments-Test-Code: <ERROR_CODE>` (reference §8.3): with a test key, the API answers with
 * that error and its documented status instead of doing anything, before the request's own
 * fields (the paymentKey, the body) are looked at. Live keys ignore the header, as Toss does.
 * Returns the error to answer with, or null to carry on.
 */
export function forcedTestError(merchant: PspMerchant, headerValue: string | null): PspError | null {
  const code = headerValue?.trim();
  if (!code || !isTestMerchant(merchant)) return null;
  if (isTossErrorCode(code)) return new PspError(code);
  return new PspError(
    'INVALID_REQUEST',
    `Unknown ${TEST_CODE_HEADER} "${code.slice(0, 100)}": the sandbox can only force one of Toss's documented error codes, such as REJECT_CARD_COMPANY.`,
  );
}
