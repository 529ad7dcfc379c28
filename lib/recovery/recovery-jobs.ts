import { dailyReconciliationJob } from './jobs/daily-reconciliation';
import { expireAttemptsJob } from './jobs/expire-attempts';
import { expireDepositsJob } from './jobs/expire-deposits';
import { finishPaymentsJob } from './jobs/finish-payments';
import { retryRefundsJob } from './jobs/retry-refunds';
import { storedWebhooksJob } from './jobs/stored-webhooks';
import type { RecoveryJob } from './recovery-job';

/** What the recovery worker runs each pass, in this order. A new job is a file and a line here. */
export const recoveryJobs: readonly RecoveryJob[] = [
  finishPaymentsJob,
  expireAttemptsJob,
  expireDepositsJob,
  retryRefundsJob,
  storedWebhooksJob,
  dailyReconciliationJob,
];
