import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { journals, payments, reconciliationItems, reconciliationRuns, type ReconciliationClass, type ReconciliationReason } from '@/db/schema';
import { isUniqueViolation } from '@/lib/db-errors';
import { reconReasonText } from '@/lib/i18n/words';
import { newId } from '@/lib/ids';
import { postJournal } from '@/lib/ledger/post-journal';
import { settlementLines } from '@/lib/ledger/posting-rules';
import type { TossClient, TossPayment, TossSettlement } from '@/lib/psp/toss-client';
import { chargedAtPsp } from '@/lib/payments/charged-at-psp';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be yyyy-MM-dd');
export const reconciliationRangeSchema = z.object({ fromDate: isoDate, toDate: isoDate })
  .refine((r) => r.fromDate <= r.toDate, 'fromDate must not be after toDate');

type Payment = typeof payments.$inferSelect;
type Item = Omit<typeof reconciliationItems.$inferInsert, 'runId'>;

/** The reason as data (worded per reader on the dashboard) and in English as the item's `detail`. */
const explained = (reason: ReconciliationReason) => ({ reason, detail: reconReasonText('en', reason) });

const PAGE_SIZE = 5_000;
const FINISHED_OK = new Set(['SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED']);

/**
 * Compares the PSP's settlements and payment states with our payments and ledger for KST sales
 * dates [fromDate, toDate], classifies every payment, posts the settlement journal of each
 * matched settlement row once (receivable → cash + PSP fee), and stores the report. It never
 * "fixes" a mismatch: those are reported for a person (corrections are new journals).
 */
export async function runReconciliation(db: Db, psp: TossClient, range: { fromDate: string; toDate: string }, trigger: string) {
  const { fromDate, toDate } = reconciliationRangeSchema.parse(range);
  const runId = newId('rcn');
  await db.insert(reconciliationRuns).values({ id: runId, fromDate, toDate, trigger });
  try {
    const settlements = await fetchSettlements(psp, fromDate, toDate);
    const byKey = new Map<string, TossSettlement[]>();
    for (const s of settlements) byKey.set(s.paymentKey, [...(byKey.get(s.paymentKey) ?? []), s]);

    // Our attempts that reached the PSP, dated like the PSP dates them (KST).
    const ours = await db.select().from(payments).where(and(
      isNotNull(payments.pspPaymentKey),
      sql`(coalesce(${payments.approvedAt}, ${payments.createdAt}) at time zone 'Asia/Seoul')::date between ${fromDate}::date and ${toDate}::date`,
    ));
    const items: Item[] = [];
    let journalsPosted = 0;
    for (const p of ours) {
      const rows = byKey.get(p.pspPaymentKey!) ?? [];
      byKey.delete(p.pspPaymentKey!);
      const item = await classify(psp, p, rows);
      items.push(item);
      if (item.classification === 'MATCHED') journalsPosted += await postSettlements(db, p, rows);
    }
    // Settled at the PSP, unknown to us: possibly a charge we lost. Reported, never booked.
    for (const [paymentKey, rows] of byKey) {
      items.push({
        classification: 'MISSING_OURS', pspPaymentKey: paymentKey, orderId: rows[0]!.orderId, merchantId: null, paymentId: null,
        ours: null, psp: rows, ...explained({ code: 'SETTLED_UNKNOWN_TO_US', count: rows.length, orderId: rows[0]!.orderId }),
      });
    }
    const counts: Partial<Record<ReconciliationClass, number>> = {};
    for (const i of items) counts[i.classification] = (counts[i.classification] ?? 0) + 1;
    await db.transaction(async (tx) => {
      for (let k = 0; k < items.length; k += 1_000) {
        const chunk = items.slice(k, k + 1_000);
        if (chunk.length) await tx.insert(reconciliationItems).values(chunk.map((i) => ({ ...i, runId })));
      }
      await tx.update(reconciliationRuns).set({ finishedAt: new Date(), counts, settlementJournals: journalsPosted }).where(eq(reconciliationRuns.id, runId));
    });
    return { runId, counts, settlementJournals: journalsPosted, items: items.length };
  } catch (err) {
    await db.update(reconciliationRuns).set({ finishedAt: new Date(), error: err instanceof Error ? err.message : String(err) }).where(eq(reconciliationRuns.id, runId));
    throw err;
  }
}

async function fetchSettlements(psp: TossClient, startDate: string, endDate: string): Promise<TossSettlement[]> {
  const all: TossSettlement[] = [];
  for (let page = 1; ; page++) {
    const res = await psp.settlements({ startDate, endDate, page, size: PAGE_SIZE });
    if (res.kind !== 'ok') throw new Error(`could not read PSP settlements: ${res.kind === 'error' ? `${res.code} ${res.message}` : res.reason}`);
    all.push(...res.value);
    if (res.value.length < PAGE_SIZE) return all;
  }
}

const summary = (p: Payment) => ({ status: p.status, amount: Number(p.amount), refunded: Number(p.refundedAmount), currency: p.currency, needsAttention: p.needsAttention });

async function classify(psp: TossClient, p: Payment, rows: TossSettlement[]): Promise<Item> {
  const base = { merchantId: p.merchantId, paymentId: p.id, orderId: p.orderId, pspPaymentKey: p.pspPaymentKey, ours: summary(p) };
  const verdict = (classification: ReconciliationClass, reason: ReconciliationReason, pspSide: unknown): Item => ({ ...base, classification, ...explained(reason), psp: pspSide });
  const money = { ourAmount: Number(p.amount), currency: p.currency };
  if (rows.length) {
    if (!FINISHED_OK.has(p.status)) return verdict('STATUS_MISMATCH', { code: 'SETTLED_BUT_NOT_FINISHED', ourStatus: p.status }, rows);
    const approved = rows.filter((r) => r.amount > 0).reduce((s, r) => s + r.amount, 0);
    const cancelled = -rows.filter((r) => r.amount < 0).reduce((s, r) => s + r.amount, 0);
    if (BigInt(cancelled) > p.refundedAmount) return cancelledAtPsp(p, BigInt(cancelled), cancelled >= approved ? 'CANCELED' : 'PARTIAL_CANCELED', rows);
    if (BigInt(approved) !== p.amount) return verdict('AMOUNT_MISMATCH', { code: 'SETTLED_AMOUNT_DIFFERS', ...money, pspAmount: approved }, rows);
    if (BigInt(cancelled) !== p.refundedAmount) return verdict('AMOUNT_MISMATCH', { code: 'SETTLED_REFUNDS_DIFFER', ...money, pspAmount: cancelled, ourAmount: Number(p.refundedAmount) }, rows);
    return verdict('MATCHED', { code: 'SETTLED_AS_APPROVED' }, rows);
  }
  // Not (yet) settled: the PSP's payment record decides.
  const lookup = await psp.getPayment(p.pspPaymentKey!);
  if (lookup.kind === 'error' && lookup.httpStatus === 404) {
    return FINISHED_OK.has(p.status)
      ? verdict('MISSING_AT_PSP', { code: 'NO_RECORD_AT_PSP', ourStatus: p.status }, { code: lookup.code })
      : verdict('MATCHED', { code: 'NO_CHARGE_EITHER_SIDE' }, { code: lookup.code });
  }
  if (lookup.kind !== 'ok') return verdict('STATUS_MISMATCH', { code: 'PSP_UNREADABLE', reason: lookup.kind === 'error' ? lookup.code : lookup.reason }, null);
  const truth: TossPayment = lookup.value;
  const pspCharged = chargedAtPsp(truth);
  if (pspCharged !== FINISHED_OK.has(p.status)) return verdict('STATUS_MISMATCH', { code: 'STATUS_DIFFERS', pspStatus: truth.status, ourStatus: p.status }, truth);
  const refundedAtPsp = BigInt(truth.totalAmount - truth.balanceAmount);
  if ((truth.status === 'CANCELED' || truth.status === 'PARTIAL_CANCELED') && FINISHED_OK.has(p.status) && refundedAtPsp > p.refundedAmount) {
    return cancelledAtPsp(p, refundedAtPsp, truth.status, truth);
  }
  if (pspCharged && BigInt(truth.totalAmount) !== p.amount) return verdict('AMOUNT_MISMATCH', { code: 'CHARGED_AMOUNT_DIFFERS', ...money, pspAmount: truth.totalAmount }, truth);
  if (pspCharged && BigInt(truth.totalAmount - truth.balanceAmount) !== p.refundedAmount) return verdict('AMOUNT_MISMATCH', { code: 'REFUNDED_AMOUNT_DIFFERS', ...money, pspAmount: truth.totalAmount - truth.balanceAmount, ourAmount: Number(p.refundedAmount) }, truth);
  return verdict('MATCHED', pspCharged ? { code: 'APPROVED_NOT_SETTLED' } : { code: 'NOT_CHARGED_EITHER', pspStatus: truth.status }, truth);
}

/**
 * The PSP gave the shopper money back that our ledger still counts as sold (cancelled at the PSP,
 * by someone holding the secret key or by the PSP itself). A STATUS_MISMATCH whose `psp.status`
 * is CANCELED/PARTIAL_CANCELED; the invariant `psp-cancel-in-ledger` counts these until a
 * person books the refund.
 */
function cancelledAtPsp(p: Payment, refundedAtPsp: bigint, status: 'CANCELED' | 'PARTIAL_CANCELED', evidence: unknown): Item {
  return {
    merchantId: p.merchantId, paymentId: p.id, orderId: p.orderId, pspPaymentKey: p.pspPaymentKey, ours: summary(p),
    classification: 'STATUS_MISMATCH',
    ...explained({ code: 'CANCELLED_AT_PSP', pspAmount: Number(refundedAtPsp), pspStatus: status, ourStatus: p.status, ourAmount: Number(p.refundedAmount), currency: p.currency }),
    psp: { status, refunded: Number(refundedAtPsp), evidence },
  };
}

/** One SETTLEMENT journal per settlement row (its transactionKey), never two. */
async function postSettlements(db: Db, p: Payment, rows: TossSettlement[]): Promise<number> {
  let posted = 0;
  for (const r of rows) {
    const fee = BigInt(r.fee ?? r.amount - r.payOutAmount);
    const done = await db.transaction(async (tx) => {
      const [exists] = await tx.select({ id: journals.id }).from(journals).where(and(eq(journals.kind, 'SETTLEMENT'), eq(journals.externalRef, r.transactionKey)));
      if (exists) return false;
      await postJournal(tx, {
        merchantId: p.merchantId, kind: 'SETTLEMENT', paymentId: p.id, externalRef: r.transactionKey, currency: r.currency,
        description: `PSP settlement ${r.transactionKey} (sold ${r.soldDate}, paid out ${r.paidOutDate})`,
        lines: settlementLines(BigInt(r.amount), fee),
      });
      return true;
    }).catch((err) => {
      if (isUniqueViolation(err, 'journals_one_per_external_ref')) return false; // a concurrent run posted it
      throw err;
    });
    if (done) posted++;
  }
  return posted;
}
