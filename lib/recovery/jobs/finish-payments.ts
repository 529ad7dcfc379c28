import { claimDuePayments, recoverPayment } from '../recover-payment';
import { eachIsolated, type RecoveryJob } from '../recovery-job';

/** Payments left EXECUTING/UNKNOWN: claimed when due (backoff), finished by asking the PSP. */
export const finishPaymentsJob: RecoveryJob = {
  name: 'payments',
  async run(ctx) {
    const due = await claimDuePayments(ctx.db, ctx.policy, ctx.policy.batch.payments, ctx.at);
    return eachIsolated(ctx, 'payments', due, (p) => ({ paymentId: p.id, attempt: p.recoveryAttempts }), async (p) => {
      const outcome = await recoverPayment(ctx.db, ctx.psp, p, ctx.policy, ctx.at);
      ctx.log.info({ paymentId: p.id, attempt: p.recoveryAttempts, outcome }, 'recovery');
      return outcome;
    });
  },
};
