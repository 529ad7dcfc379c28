/**
 * The one error type of the app. Each code has one HTTP status (mapped in lib/http/respond.ts);
 * `message` is written for the person reading it, `detail` stays in the logs.
 */
export const errorStatus = {
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  AMOUNT_MISMATCH: 400,
  PAYMENT_KEY_MISMATCH: 400,
  UNKNOWN_PRODUCT: 422,
  MIXED_MERCHANTS: 422,
  MIXED_CURRENCIES: 422,
  UNAUTHENTICATED: 401,
  /** A PSP callback whose secret is not the one the PSP gave us for that payment. */
  WEBHOOK_NOT_GENUINE: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CHECKOUT_KEY_REUSED: 409,
  ORDER_ALREADY_PAID: 409,
  PAYMENT_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  NOT_REFUNDABLE: 409,
  /** A virtual account that was paid is refunded to an account the shopper names. */
  REFUND_ACCOUNT_REQUIRED: 422,
  REFUND_EXCEEDS_REMAINING: 422,
  REFUND_DECLINED: 422,
  MISSING_IDEMPOTENCY_KEY: 400,
  MALFORMED_URL: 400,
  FORBIDDEN_ORIGIN: 403,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  /** The PSP did not answer a question we must ask before acting; nothing was changed. */
  PSP_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found.`);
