import type postgres from 'postgres';
import { pg, type DbOrTx } from '@/db/client';
import type { payments, PaymentStatus, PayMethod } from '@/db/schema';

export type Payment = typeof payments.$inferSelect;

/**
 * The payment state machine: every event that may change a payment, the states it may leave and
 * the states it may enter. `transitionPayment` reads this table and nothing else decides an edge;
 * the database holds the same edges (`payment_transitions`, migration 0004) and its trigger
 * refuses any UPDATE of `payments.status` that is not one of them, as the ledger's triggers
 * refuse an unbalanced journal. A test keeps the two lists equal.
 * An event whose `to` is empty changes no state (it only writes history, e.g. a flag).
 */
export const PAYMENT_TRANSITIONS = {
  /** The success redirect (or recovery) starts the PSP confirm. */
  CONFIRM_STARTED: { from: ['NOT_STARTED'], to: ['EXECUTING'] },
  /** The PSP's record says DONE for this order and amount (for a virtual account: the deposit arrived). */
  APPROVED: { from: ['EXECUTING', 'UNKNOWN', 'AWAITING_DEPOSIT'], to: ['SUCCESS'] },
  /**
   * Declined at confirm, aborted/expired at the PSP, or the window failed or expired; a virtual
   * account whose due date passed or that was cancelled before the deposit.
   */
  DECLINED: { from: ['NOT_STARTED', 'EXECUTING', 'UNKNOWN', 'AWAITING_DEPOSIT'], to: ['FAILURE'] },
  /** The PSP issued a virtual account (WAITING_FOR_DEPOSIT): no money yet, no journal. */
  DEPOSIT_AWAITED: { from: ['EXECUTING', 'UNKNOWN'], to: ['AWAITING_DEPOSIT'] },
  /** The bank took a virtual account's deposit back (PSP: DONE → WAITING_FOR_DEPOSIT): the approval is reversed. */
  DEPOSIT_REVERSED: { from: ['SUCCESS'], to: ['AWAITING_DEPOSIT'] },
  /** We asked the PSP and did not learn the answer; recovery resolves it. */
  CONFIRM_OUTCOME_UNKNOWN: { from: ['EXECUTING'], to: ['UNKNOWN'] },
  /** A refund was booked: partially or fully refunded by the running total. */
  REFUNDED: { from: ['SUCCESS', 'PARTIALLY_REFUNDED'], to: ['PARTIALLY_REFUNDED', 'REFUNDED'] },
  /** Recovery gave up or the PSP disagrees with us: a person must look. No state change. */
  NEEDS_ATTENTION: { from: ['NOT_STARTED', 'EXECUTING', 'SUCCESS', 'FAILURE', 'UNKNOWN', 'AWAITING_DEPOSIT', 'PARTIALLY_REFUNDED', 'REFUNDED'], to: [] },
} as const satisfies Record<string, { from: readonly PaymentStatus[]; to: readonly PaymentStatus[] }>;

export type PaymentEvent = keyof typeof PAYMENT_TRANSITIONS;

/** Every (from, to) pair some event allows: what the database trigger accepts. */
export function allowedEdges(): [PaymentStatus, PaymentStatus][] {
  const edges = new Map<string, [PaymentStatus, PaymentStatus]>();
  for (const { from, to } of Object.values(PAYMENT_TRANSITIONS)) {
    for (const f of from) for (const t of to) if (f !== t) edges.set(`${f}>${t}`, [f, t]);
  }
  return [...edges.values()];
}

/** The payment row as `Payment`, from a row alias `p` (raw statements return snake_case). */
export const PAYMENT_COLUMNS = `p.id, p.order_id as "orderId", p.merchant_id as "merchantId", p.amount, p.currency, p.status,
  p.psp_payment_key as "pspPaymentKey", p.confirm_idempotency_key as "confirmIdempotencyKey", p.failure_code as "failureCode",
  p.failure_message as "failureMessage", p.approved_at as "approvedAt", p.refunded_amount as "refundedAmount",
  p.recovery_attempts as "recoveryAttempts", p.next_recovery_at as "nextRecoveryAt", p.needs_attention as "needsAttention",
  p.method, p.easy_pay_provider as "easyPayProvider", p.created_at as "createdAt", p.updated_at as "updatedAt"`;

/**
 * A payment row from a hand-written statement. drizzle's driver turns off postgres.js's own
 * timestamp parsing (it maps them itself), so raw rows carry timestamps as text: parse them here.
 */
export function toPayment(row: Record<string, unknown>): Payment {
  const at = (v: unknown) => (v == null ? null : v instanceof Date ? v : new Date(v as string));
  return { ...(row as Payment), createdAt: at(row.createdAt)!, updatedAt: at(row.updatedAt)!, approvedAt: at(row.approvedAt), nextRecoveryAt: at(row.nextRecoveryAt) };
}

export interface TransitionInput<E extends PaymentEvent = PaymentEvent> {
  paymentId: string;
  event: E;
  actor: string;
  /** Narrows the event's `from` states (e.g. a window failure may only end NOT_STARTED). */
  from?: readonly (typeof PAYMENT_TRANSITIONS)[E]['from'][number][];
  /** For an event with several targets, the one to enter (REFUNDED), else the event's only one. */
  to?: (typeof PAYMENT_TRANSITIONS)[E]['to'][number];
  detail?: Record<string, unknown>;
  set?: { pspPaymentKey?: string; failureCode?: string; failureMessage?: string; approvedAt?: Date; needsAttention?: string; refundedAdd?: bigint; method?: PayMethod; easyPayProvider?: string | null };
}

/**
 * Effects that commit with the transition, in the same statement: a function of the CTE name
 * `moved` (the moved payment row, all columns) returning more `, name as (...)` CTEs.
 */
export type TransitionEffects = (sql: postgres.Sql) => postgres.PendingQuery<postgres.Row[]>;

/**
 * The only way a payment changes state: one statement (one round trip, prepared) that locks the
 * row if it is in an allowed `from` state, moves it, and appends its history row, plus any
 * effects (journal, outbox) as further CTEs of the same statement. Returns the moved payment, or
 * null when the payment was not in an allowed state: somebody else (a concurrent confirm, the
 * webhook, the poller) got there first, and the caller must not repeat the effect.
 */
export async function transitionPayment<E extends PaymentEvent>(db: DbOrTx, input: TransitionInput<E>, effects?: TransitionEffects): Promise<Payment | null> {
  const rule = PAYMENT_TRANSITIONS[input.event] as { from: readonly PaymentStatus[]; to: readonly PaymentStatus[] };
  const from = (input.from ?? rule.from) as readonly PaymentStatus[];
  const bad = from.filter((s) => !rule.from.includes(s));
  if (bad.length) throw new Error(`${input.event} cannot leave ${bad.join(', ')}`);
  const to: PaymentStatus | null = input.to ?? rule.to[0] ?? null;
  if (to !== null && !rule.to.includes(to)) throw new Error(`${input.event} cannot enter ${to}`);
  if (to === null && rule.to.length > 0) throw new Error(`${input.event} needs a target state`);
  const s = input.set ?? {};
  const sql = pg(db);
  // A flag (no target state) is written once: only while the payment is not flagged yet.
  const flagOnly = to === null;
  const rows = await sql<(Payment & { fromStatus: PaymentStatus })[]>`
    with old as (
      select id, status as from_status from payments
      where id = ${input.paymentId} and status::text = any(${from as string[]}::text[])
        and (${!flagOnly}::boolean or needs_attention is null)
      for update
    ), moved as (
      update payments p set
        status = coalesce(${to}::payment_status, p.status),
        psp_payment_key = coalesce(${s.pspPaymentKey ?? null}::text, p.psp_payment_key),
        failure_code = coalesce(${s.failureCode ?? null}::text, p.failure_code),
        failure_message = coalesce(${s.failureMessage ?? null}::text, p.failure_message),
        approved_at = coalesce(${s.approvedAt?.toISOString() ?? null}::timestamptz, p.approved_at),
        needs_attention = coalesce(${s.needsAttention ?? null}::text, p.needs_attention),
        method = coalesce(${s.method ?? null}::pay_method, p.method),
        easy_pay_provider = coalesce(${s.easyPayProvider ?? null}::text, p.easy_pay_provider),
        refunded_amount = p.refunded_amount + ${(s.refundedAdd ?? 0n).toString()}::bigint,
        updated_at = case when ${flagOnly}::boolean then p.updated_at else now() end
      from old where p.id = old.id
      returning p.*, old.from_status
    ), history as (
      insert into payment_history (payment_id, from_status, to_status, event, actor, detail)
      select id, case when ${flagOnly}::boolean then null else from_status end, ${to}::payment_status,
             ${input.event}, ${input.actor}, ${JSON.stringify(input.detail ?? {})}::jsonb
      from moved
    )${effects ? effects(sql) : sql``}
    select ${sql.unsafe(PAYMENT_COLUMNS)}, p.from_status as "fromStatus" from moved p`;
  const row = rows[0];
  if (!row) return null;
  const { fromStatus: _from, ...moved } = row;
  return toPayment(moved);
}

/** A history entry without a transition: a creation, or a rejected (tampered) redirect. */
export async function notePayment(
  db: DbOrTx,
  entry: { paymentId: string; event: string; actor: string; detail?: Record<string, unknown>; status?: PaymentStatus },
): Promise<void> {
  await pg(db)`insert into payment_history (payment_id, to_status, event, actor, detail)
    values (${entry.paymentId}, ${entry.status ?? null}::payment_status, ${entry.event}, ${entry.actor}, ${JSON.stringify(entry.detail ?? {})}::jsonb)`;
}
