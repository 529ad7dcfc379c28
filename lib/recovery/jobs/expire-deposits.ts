import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import { payments, virtualAccounts } from '@/db/schema';
import { failPayment } from '@/lib/payments/finish-payment';
import { adoptPspPayment } from '@/lib/payments/finish-with-psp';
import { VIRTUAL_ACCOUNT_EXPIRED } from '@/lib/payments/pay-method';
import { databaseAgo, databaseNow } from '../database-clock';
import { eachIsolated, type RecoveryJob } from '../recovery-job';

/**
 * Virtual accounts whose due date has passed. Toss sends no webhook then (the status stays
 * WAITING_FOR_DEPOSIT with `virtualAccount.expired`), so recovery looks each one up and acts on
 * the PSP's record: expired without a deposit → FAILURE (VIRTUAL_ACCOUNT_EXPIRED) with its event;
 * paid after all → approved as any deposit; not expired yet by the PSP's clock → asked again
 * later. The FAILURE is conditional on AWAITING_DEPOSIT, so a deposit booked meanwhile wins, and a
 * deposit the PSP takes after we ended the payment is flagged as a mismatch, never booked
 * (lib/psp-webhooks).
 */
export const expireDepositsJob: RecoveryJob = {
  name: 'deposit-expiry',
  async run(ctx) {
    const due = await ctx.db.select(getTableColumns(payments)).from(payments)
      .innerJoin(virtualAccounts, eq(virtualAccounts.paymentId, payments.id))
      .where(and(
        eq(payments.status, 'AWAITING_DEPOSIT'),
        isNull(payments.needsAttention),
        lte(virtualAccounts.dueAt, databaseAgo(ctx.policy.depositDueGraceMs, ctx.at)),
        or(isNull(payments.nextRecoveryAt), lte(payments.nextRecoveryAt, databaseNow(ctx.at))),
      ))
      .orderBy(virtualAccounts.dueAt)
      .limit(ctx.policy.batch.deposits);
    return eachIsolated(ctx, 'deposit-expiry', due, (p) => ({ paymentId: p.id }), async (p) => {
      const lookup = await ctx.psp.getPayment(p.pspPaymentKey!);
      if (lookup.kind !== 'ok') throw new Error(`PSP lookup failed: ${lookup.kind === 'error' ? lookup.code : lookup.reason}`);
      const psp = lookup.value;
      if (psp.status === 'WAITING_FOR_DEPOSIT' && psp.virtualAccount?.expired === true) {
        const moved = await failPayment(ctx.db, p, { code: VIRTUAL_ACCOUNT_EXPIRED, message: 'The due date of the virtual account passed without a deposit.' }, 'recovery', ['AWAITING_DEPOSIT']);
        return moved ? 'expired' : null;
      }
      if (psp.status === 'WAITING_FOR_DEPOSIT') {
        await ctx.db.update(payments)
          .set({ nextRecoveryAt: sql`${databaseNow(ctx.at)} + ${ctx.policy.depositDueGraceMs}::bigint * interval '1 millisecond'` })
          .where(eq(payments.id, p.id));
        return 'not-expired-at-psp';
      }
      const moved = await adoptPspPayment(ctx.db, p, psp, 'recovery');
      return moved ? `finished by PSP status ${psp.status}` : 'left for a person';
    });
  },
};
