import 'server-only';
import { and, count, eq, gte, inArray, lt, notInArray, or, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { payments, refunds, type PaymentStatus } from '@/db/schema';
import { getBalances, type BalanceView } from './get-balances';
import { addDays, kstDateOf, kstStartOf } from '@/lib/kst';
import { SHOPPER_CANCEL_CODES, TIMEOUT_CODES } from '@/lib/i18n/words';
import type { OverviewParams } from './overview-params';

/** The overview's money figures are in won; the shop sells in KRW only. */
export const OVERVIEW_CURRENCY = 'KRW';

/** Approved at some point, whatever refunds happened since. */
const APPROVED: PaymentStatus[] = ['SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED'];

export interface OverviewDay {
  /** KST day, `yyyy-MM-dd`. */
  date: string;
  approvedAmount: number;
  approvedCount: number;
}

/**
 * What `GET /api/merchant/overview` answers. Plain JSON values (numbers, strings), so the page's
 * server prefetch and the browser's fetch put the same shape into the query cache.
 */
export interface Overview {
  days: number;
  currency: string;
  /** First and last KST day of the window, inclusive; `to` is today. */
  from: string;
  to: string;
  /** One entry per day of the window, oldest first; days without payments are zeros. */
  series: OverviewDay[];
  approved: { count: number; amount: number };
  /** Attempts that ended FAILURE in the window (declined, cancelled, expired). */
  failedCount: number;
  /**
   * Of those, the ones somebody refused (card company, PSP): every failure except a shopper's
   * cancel and a window that timed out. Walking away is not a decision on the payment.
   */
  declinedCount: number;
  /**
   * approved / (approved + declined), 0–1: of the payments someone decided on, the share
   * approved. Null when no attempt was decided in the window.
   */
  approvalRate: number | null;
  /** Refunds that succeeded in the window. */
  refunds: { count: number; amount: number };
  /** Every ledger account of the merchant, now (not limited to the window). */
  balances: BalanceView[];
}

/**
 * The merchant's last `days` KST days. An approval counts on the day the PSP approved it; a
 * failure on the day it failed (FAILURE is final, so `updated_at` is that moment); a refund on
 * the day it succeeded. `now` is a parameter so tests can pin "today".
 */
export async function getOverview(db: DbOrTx, merchantId: string, params: OverviewParams, now = new Date()): Promise<Overview> {
  const to = kstDateOf(now);
  const from = addDays(to, -(params.days - 1));
  const start = kstStartOf(from);
  const end = kstStartOf(addDays(to, 1));

  // Literal SQL (no bound parameters), so GROUP BY sees the same expression as SELECT.
  const day = sql<string>`to_char(${payments.approvedAt} at time zone 'Asia/Seoul', 'YYYY-MM-DD')`;
  const perDay = await db.select({
    day,
    amount: sql<bigint>`coalesce(sum(${payments.amount}), 0)`.mapWith(BigInt),
    n: count(),
  })
    .from(payments)
    .where(and(
      eq(payments.merchantId, merchantId),
      eq(payments.currency, OVERVIEW_CURRENCY),
      inArray(payments.status, APPROVED),
      gte(payments.approvedAt, start),
      lt(payments.approvedAt, end),
    ))
    .groupBy(day);

  const notDecided = [...SHOPPER_CANCEL_CODES, ...TIMEOUT_CODES];
  const [failed] = await db.select({
    n: count(),
    declined: count(sql`case when ${or(isNull(payments.failureCode), notInArray(payments.failureCode, notDecided))} then 1 end`),
  }).from(payments).where(and(
    eq(payments.merchantId, merchantId),
    eq(payments.currency, OVERVIEW_CURRENCY),
    eq(payments.status, 'FAILURE'),
    gte(payments.updatedAt, start),
    lt(payments.updatedAt, end),
  ));

  const [refunded] = await db.select({ n: count(), amount: sql<bigint>`coalesce(sum(${refunds.amount}), 0)`.mapWith(BigInt) })
    .from(refunds)
    .where(and(
      eq(refunds.merchantId, merchantId),
      eq(refunds.currency, OVERVIEW_CURRENCY),
      eq(refunds.status, 'SUCCEEDED'),
      gte(refunds.updatedAt, start),
      lt(refunds.updatedAt, end),
    ));

  const { balances } = await getBalances(db, merchantId);

  const byDay = new Map(perDay.map((r) => [r.day, r]));
  const series: OverviewDay[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const r = byDay.get(d);
    series.push({ date: d, approvedAmount: r ? Number(r.amount) : 0, approvedCount: r?.n ?? 0 });
  }
  const approvedCount = series.reduce((n, d) => n + d.approvedCount, 0);
  const failedCount = failed?.n ?? 0;
  const declinedCount = failed?.declined ?? 0;
  return {
    days: params.days,
    currency: OVERVIEW_CURRENCY,
    from,
    to,
    series,
    approved: { count: approvedCount, amount: series.reduce((n, d) => n + d.approvedAmount, 0) },
    failedCount,
    declinedCount,
    approvalRate: approvedCount + declinedCount === 0 ? null : approvedCount / (approvedCount + declinedCount),
    refunds: { count: refunded?.n ?? 0, amount: Number(refunded?.amount ?? 0n) },
    balances,
  };
}
