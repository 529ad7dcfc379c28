import { and, asc, between, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client';
import { pspPayments, pspTransactions } from '../db/schema';
import { toKstIso } from './clock';
import { PspError } from './errors';
import { describeIssues } from './validation';

/** Toss: `size` defaults to 100 and is at most 5000 (reference §7.1). */
export const MAX_SETTLEMENT_PAGE_SIZE = 5_000;
export const DEFAULT_PAYOUT_DELAY_DAYS = 2;

const isoDate = (name: string) => z
  .string({ error: (i) => (i.input === undefined ? `${name} is required (yyyy-MM-dd)` : `${name} must be a string`) })
  .regex(/^\d{4}-\d{2}-\d{2}$/, `${name} must be a date written yyyy-MM-dd`)
  .refine((d) => dayNumber(d) !== null, `${name} is not a calendar date`)
  .refine((d) => d >= '1900-01-01', `${name} must not be before 1900-01-01`);

const positiveInt = (name: string, max: number) => z
  .string({ error: `${name} must be a whole number` })
  .regex(/^\d+$/, `${name} must be a whole number`)
  .transform(Number)
  .pipe(z.number().int().min(1, `${name} must be at least 1`).max(max, `${name} must be at most ${max}`));

/** The query string of `GET /v1/settlements` (reference §7.1); unknown parameters are ignored. */
export const settlementsQuerySchema = z.object({
  startDate: isoDate('startDate'),
  endDate: isoDate('endDate'),
  dateType: z.enum(['soldDate', 'paidOutDate'], { error: 'dateType must be soldDate or paidOutDate' }).default('soldDate'),
  page: positiveInt('page', 1_000_000).default(1),
  size: positiveInt('size', MAX_SETTLEMENT_PAGE_SIZE).default(100),
}).refine((q) => q.endDate >= q.startDate, { message: 'endDate must not be before startDate', path: ['endDate'] });
export type SettlementsQuery = z.output<typeof settlementsQuerySchema>;

/** Parses the query string; throws 400 INVALID_REQUEST naming each problem. */
export function parseSettlementsQuery(params: URLSearchParams): SettlementsQuery {
  const parsed = settlementsQuerySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new PspError('INVALID_REQUEST', `Invalid request: ${describeIssues(parsed.error).join('; ')}.`);
  return parsed.data;
}

export interface ListSettlementsParams extends SettlementsQuery {
  mId: string;
}

/**
 * Toss's settlements (`GET /v1/settlements`, reference §7.1) for one merchant: one row per
 * approval and one per cancel, the cancel rows negative with a `cancel` object, ordered by
 * soldDate then time. soldDate is the Korean day of the approval or cancel (a daily cycle);
 * paidOutDate is soldDate + `payoutDelayDays` calendar days. fee = round(amount × fee_bps / 10000)
 * fixed when the movement happened; vat = round(fee / 11); supplyAmount = fee − vat;
 * payOutAmount = amount − fee.
 *
 * Unlike Toss, whose rows appear from the day after the payment, rows appear at once, today's
 * included: tests cannot wait a day.
 */
export async function listSettlements(db: DbOrTx, params: ListSettlementsParams, opts: { payoutDelayDays?: number } = {}) {
  const delay = opts.payoutDelayDays ?? DEFAULT_PAYOUT_DELAY_DAYS;
  // A paidOutDate range is the soldDate range `delay` days earlier.
  const shift = params.dateType === 'paidOutDate' ? -delay : 0;
  const rows = await db.select({ t: pspTransactions, p: pspPayments }).from(pspTransactions)
    .innerJoin(pspPayments, eq(pspPayments.paymentKey, pspTransactions.paymentKey))
    .where(and(
      eq(pspTransactions.mId, params.mId),
      between(pspTransactions.soldDate, addDays(params.startDate, shift), addDays(params.endDate, shift)),
    ))
    .orderBy(asc(pspTransactions.soldDate), asc(pspTransactions.occurredAt), asc(pspTransactions.seq))
    .limit(params.size)
    .offset((params.page - 1) * params.size);

  return rows.map(({ t, p }) => {
    const sign = t.kind === 'CANCEL' ? -1 : 1;
    const signed = (n: number) => (n === 0 ? 0 : sign * n);
    const vat = Math.round(t.fee / 11);
    return {
      mId: t.mId,
      paymentKey: t.paymentKey,
      transactionKey: t.transactionKey,
      orderId: p.orderId,
      currency: p.currency,
      method: '카드',
      amount: signed(t.amount),
      interestFee: 0,
      fees: [{ type: 'BASE', fee: signed(t.fee) }],
      fee: signed(t.fee),
      supplyAmount: signed(t.fee - vat),
      vat: signed(vat),
      payOutAmount: signed(t.amount - t.fee),
      approvedAt: p.approvedAt ? toKstIso(p.approvedAt) : null,
      soldDate: t.soldDate,
      paidOutDate: addDays(t.soldDate, delay),
      // Toss documents the method blocks without their fields; the sandbox's card block repeats
      // the Payment object's card identifiers.
      card: {
        issuerCode: '41',
        acquirerCode: '41',
        number: p.cardNumber,
        installmentPlanMonths: 0,
        approveNo: p.approveNo,
        cardType: '신용',
        ownerType: '개인',
      },
      easyPay: null,
      giftCertificate: null,
      mobilePhone: null,
      transfer: null,
      virtualAccount: null,
      cancel: t.kind === 'CANCEL' ? (p.cancels.find((c) => c.transactionKey === t.transactionKey) ?? null) : null,
    };
  });
}

export type Settlement = Awaited<ReturnType<typeof listSettlements>>[number];

/** Days since 1970-01-01 of a `yyyy-MM-dd` date, or null when it is not a calendar date (2025-02-30). */
function dayNumber(date: string): number | null {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return null;
  return ms / 86_400_000;
}

/** `yyyy-MM-dd` plus n calendar days. */
export function addDays(date: string, n: number): string {
  const day = dayNumber(date);
  if (day === null) throw new RangeError(`not a date: ${date}`);
  return new Date((day + n) * 86_400_000).toISOString().slice(0, 10);
}
