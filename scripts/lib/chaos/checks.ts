/**
 * What the chaos run checks once the faults have stopped: when the system is back to a clean
 * state, and whether the platform's invariants, the PSP's records and the shoppers' histories
 * agree.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { BALANCE_PROJECTION } from '@/lib/consumers/balance-projection';
import { checkBalanceProjection } from '@/lib/consumers/projection-check';
import { WEBHOOK_NOTIFIER } from '@/lib/consumers/webhook-notifier';
import { runChecks, type InvariantResult, type NamedCheck } from '@/lib/invariants/check-invariants';
import type { OrderHistory } from './shopper';

export interface Backlog {
  /** EXECUTING/UNKNOWN and not flagged for a person: recovery still owes an answer. */
  unfinishedPayments: number;
  /** PENDING/UNKNOWN refunds of payments not flagged for a person: recovery still owes the PSP's answer. */
  unfinishedRefunds: number;
  unpublishedOutbox: number;
  /** Events (distinct ids in the outbox) the balance projection has not applied yet. */
  projectionBehind: number;
  /** Events the merchant-webhook notifier has neither delivered nor dead-lettered yet. */
  notifierBehind: number;
  /** PSP webhooks (sandbox → our receiver) still to be delivered, and receipts not processed. */
  pspWebhooksPending: number;
  pspReceiptsUnprocessed: number;
}

/**
 * The clean state: every payment and refund finished (or flagged for a person), every outbox row published,
 * every consumer caught up with every event, every PSP webhook delivered and processed.
 */
export async function backlog(db: Db): Promise<Backlog> {
  const [row] = (await db.execute(sql`
    with events as (select distinct event_id from outbox)
    select
      (select count(*) from payments where status in ('EXECUTING', 'UNKNOWN') and needs_attention is null)::int as unfinished,
      (select count(*) from refunds r join payments p on p.id = r.payment_id
        where r.status in ('PENDING', 'UNKNOWN') and p.needs_attention is null)::int as refunds,
      (select count(*) from outbox where published_at is null)::int as unpublished,
      (select count(*) from events e where not exists (
        select 1 from consumed_events c where c.consumer = ${BALANCE_PROJECTION} and c.event_id = e.event_id))::int as projection,
      (select count(*) from events e where not exists (
        select 1 from consumed_events c where c.consumer = ${WEBHOOK_NOTIFIER} and c.event_id = e.event_id)
        and not exists (select 1 from dead_letters d where d.consumer = ${WEBHOOK_NOTIFIER} and d.event_id = e.event_id))::int as notifier,
      (select count(*) from sandbox.webhook_deliveries where status = 'PENDING')::int as psp_pending,
      (select count(*) from psp_webhook_receipts where processed_at is null)::int as receipts`)) as unknown as Record<string, number>[];
  return {
    unfinishedPayments: row!.unfinished!, unfinishedRefunds: row!.refunds!, unpublishedOutbox: row!.unpublished!, projectionBehind: row!.projection!, notifierBehind: row!.notifier!,
    pspWebhooksPending: row!.psp_pending!, pspReceiptsUnprocessed: row!.receipts!,
  };
}

export const isClean = (b: Backlog) => Object.values(b).every((v) => v === 0);

/**
 * The PSP side against ours (the sandbox's tables are the PSP's own books) and the consumers'
 * effects against the ledger.
 */
export async function platformChecks(db: Db, pspMerchantId: string): Promise<InvariantResult[]> {
  const queries: NamedCheck[] = [
    { name: 'psp-charged-once-per-order', description: 'the PSP approved at most one payment per order',
      query: sql`select p.order_id, count(*)::int as approvals from sandbox.transactions t join sandbox.payments p on p.payment_key = t.payment_key
        where t.m_id = ${pspMerchantId} and t.kind = 'APPROVAL' group by p.order_id having count(*) > 1` },
    { name: 'psp-done-is-ours-success', description: 'every payment the PSP approved is SUCCESS (or refunded) on our side, same amount',
      query: sql`select p.payment_key, p.order_id, p.status as psp_status, o.status as our_status from sandbox.payments p
        left join payments o on o.psp_payment_key = p.payment_key
        where p.m_id = ${pspMerchantId} and p.status in ('DONE', 'CANCELED', 'PARTIAL_CANCELED')
          and (o.id is null or o.status not in ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED') or o.amount <> p.amount)` },
    { name: 'ours-success-is-psp-done', description: 'every payment SUCCESS on our side is approved at the PSP',
      query: sql`select o.id, o.psp_payment_key, p.status as psp_status from payments o
        left join sandbox.payments p on p.payment_key = o.psp_payment_key
        where o.status in ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED') and (p.payment_key is null or p.status not in ('DONE', 'CANCELED', 'PARTIAL_CANCELED'))` },
    { name: 'one-order-per-checkout-key', description: 'a checkout key placed one order',
      query: sql`select merchant_id, checkout_key, count(*)::int from orders group by merchant_id, checkout_key having count(*) > 1` },
    { name: 'projection-counts-equal-payments', description: 'the projection counted each approved and each failed payment once',
      query: sql`with ours as (
          select merchant_id, currency, count(*) filter (where status in ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED'))::int as approved,
                 count(*) filter (where status = 'FAILURE')::int as failed
          from payments group by merchant_id, currency)
        select o.merchant_id, o.approved, b.approved_count, o.failed, b.failed_count from ours o
        left join merchant_balances b on b.merchant_id = o.merchant_id and b.currency = o.currency
        where coalesce(b.approved_count, 0) <> o.approved or coalesce(b.failed_count, 0) <> o.failed` },
    { name: 'payments-needing-a-person', description: 'no payment was given up on and flagged for a person',
      query: sql`select id, status, needs_attention from payments where needs_attention is not null` },
  ];
  const [results, mismatches] = await Promise.all([runChecks(db, queries), checkBalanceProjection(db)]);
  const projection: InvariantResult = {
    name: 'balance-projection-equals-ledger',
    description: 'the consumer-built balances equal the ledger (each event applied exactly once)',
    violations: mismatches.length,
    sample: mismatches.map((m) => ({ ...m, projected: String(m.projected), ledger: String(m.ledger) })),
  };
  // The printed table keeps its order: the projection check after the checkout-key one.
  return [...results.slice(0, 4), projection, ...results.slice(4)];
}

/**
 * The shoppers' histories against the database: a shopper told "paid" is paid; a shopper whose
 * last word was "failed" was not charged; a deposit into a virtual account paid its order; a
 * double click made one order.
 */
export async function historyChecks(db: Db, histories: OrderHistory[]): Promise<InvariantResult[]> {
  const withOrder = histories.filter((h) => h.orderId);
  const ids = withOrder.map((h) => h.orderId!);
  const rows = ids.length ? (await db.execute(sql`
    select o.id, bool_or(p.status in ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED')) as paid,
      (select count(*) from sandbox.payments pp where pp.order_id = o.id and pp.status in ('DONE', 'CANCELED', 'PARTIAL_CANCELED'))::int as psp_charged
    from orders o left join payments p on p.order_id = o.id
    where o.id = any(string_to_array(${ids.join(',')}, ','))
    group by o.id`)) as unknown as { id: string; paid: boolean | null; psp_charged: number }[] : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const toldPaidNotPaid = withOrder.filter((h) => h.toldPaid && !byId.get(h.orderId!)?.paid);
  const toldFailedCharged = withOrder.filter((h) => h.lastTold === 'PAYMENT_FAILED' && ((byId.get(h.orderId!)?.psp_charged ?? 0) > 0 || byId.get(h.orderId!)?.paid));
  const doubleOrders = histories.filter((h) => new Set(h.checkoutAnswers).size > 1);
  const depositedNotPaid = withOrder.filter((h) => h.deposited && !byId.get(h.orderId!)?.paid);
  const sample = (hs: OrderHistory[]) => hs.slice(0, 3).map((h) => ({ orderId: h.orderId, checkoutKey: h.checkoutKey, answers: h.checkoutAnswers, steps: h.steps.slice(-6) }));
  return [
    { name: 'told-paid-is-paid', description: 'every order a shopper was shown as paid is paid in the database', violations: toldPaidNotPaid.length, sample: sample(toldPaidNotPaid) },
    { name: 'told-failed-not-charged', description: 'no order whose shopper last saw "failed" was charged (ours or the PSP\'s books)', violations: toldFailedCharged.length, sample: sample(toldFailedCharged) },
    { name: 'deposit-is-paid', description: 'every virtual account the shopper paid into (the bank accepted the deposit) is a paid order', violations: depositedNotPaid.length, sample: sample(depositedNotPaid) },
    { name: 'double-click-one-order', description: 'a double-clicked checkout answered with one order', violations: doubleOrders.length, sample: sample(doubleOrders) },
  ];
}
