import { z } from 'zod';

/**
 * Every number that decides when recovery acts, in one place: every job reads it from here and
 * the recovery worker's env can override it. All durations are compared with the database's
 * clock (see database-clock.ts), never the worker's.
 */
export interface RecoveryPolicy {
  /** Leave a payment or refund alone this long after its last change (its request may still be running). */
  graceMs: number;
  /** Backoff before try n (1-based): base × 2^(n−1), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Retry cap and attention threshold: after this many tries the payment is flagged for a person. */
  maxAttempts: number;
  /** Toss: a payment not confirmed within 10 minutes of authentication expires. */
  confirmWindowMs: number;
  /** Toss: a payment window not authenticated within 30 minutes expires. */
  windowExpiryMs: number;
  /**
   * A virtual account is looked up this long after its due date (a deposit at the bank's last
   * minute may still be on its way), and again after this long while the PSP does not yet call it
   * expired (the PSP's clock decides, and it sends no webhook when the due date passes).
   */
  depositDueGraceMs: number;
  /** A stored PSP webhook is the receiver's to process for this long; after it, recovery's. */
  storedWebhookAgeMs: number;
  /** Reconciliation schedule: once a day, of the KST day `lagDays` before today. */
  reconciliation: { daily: boolean; lagDays: number };
  /** Items each job takes per pass (the rest wait for the next pass). */
  batch: { payments: number; expiry: number; deposits: number; refunds: number; webhooks: number };
}

export const defaultRecoveryPolicy: RecoveryPolicy = {
  graceMs: 30_000,
  baseDelayMs: 5_000,
  maxDelayMs: 10 * 60_000,
  maxAttempts: 12,
  confirmWindowMs: 10 * 60_000,
  windowExpiryMs: 30 * 60_000,
  depositDueGraceMs: 60_000,
  storedWebhookAgeMs: 10_000,
  reconciliation: { daily: true, lagDays: 1 },
  batch: { payments: 50, expiry: 200, deposits: 100, refunds: 100, webhooks: 100 },
};

/** The recovery worker's env knobs; anything unset keeps the default above. */
export const recoveryPolicyEnvSchema = z.object({
  RECOVERY_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(defaultRecoveryPolicy.graceMs),
  RECOVERY_BASE_DELAY_MS: z.coerce.number().int().min(10).max(3_600_000).default(defaultRecoveryPolicy.baseDelayMs),
  RECOVERY_MAX_DELAY_MS: z.coerce.number().int().min(10).max(24 * 3_600_000).default(defaultRecoveryPolicy.maxDelayMs),
  RECOVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(defaultRecoveryPolicy.maxAttempts),
  RECOVERY_DAILY_RECONCILIATION: z.enum(['0', '1']).default('1'),
});

export function recoveryPolicyFromEnv(env: z.infer<typeof recoveryPolicyEnvSchema>): RecoveryPolicy {
  return {
    ...defaultRecoveryPolicy,
    graceMs: env.RECOVERY_GRACE_MS,
    baseDelayMs: env.RECOVERY_BASE_DELAY_MS,
    maxDelayMs: env.RECOVERY_MAX_DELAY_MS,
    maxAttempts: env.RECOVERY_MAX_ATTEMPTS,
    reconciliation: { ...defaultRecoveryPolicy.reconciliation, daily: env.RECOVERY_DAILY_RECONCILIATION === '1' },
  };
}
