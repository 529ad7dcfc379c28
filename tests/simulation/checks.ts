import { sql } from 'drizzle-orm';
import { BALANCE_PROJECTION } from '@/lib/consumers/balance-projection';
import { checkBalanceProjection } from '@/lib/consumers/projection-check';
import { checkInvariants, runChecks, type InvariantResult, type NamedCheck } from '@/lib/invariants/check-invariants';
import type { World } from './world';

export interface Violation {
  name: string;
  description: string;
  sample: unknown[];
}

/** Transitions a payment's history may show, one after the other (∅ = before the first). */
const ALLOWED_TRANSITIONS = [
  '∅>NOT_STARTED', 'NOT_STARTED>EXECUTING', 'NOT_STARTED>FAILURE', 'EXECUTING>SUCCESS', 'EXECUTING>FAILURE', 'EXECUTING>UNKNOWN',
  'UNKNOWN>SUCCESS', 'UNKNOWN>FAILURE', 'SUCCESS>PARTIALLY_REFUNDED', 'SUCCESS>REFUNDED', 'PARTIALLY_REFUNDED>PARTIALLY_REFUNDED',
  'PARTIALLY_REFUNDED>REFUNDED',
  // Virtual accounts: issued (the confirm or a lookup says WAITING_FOR_DEPOSIT), then paid, expired or cancelled; a reversed deposit waits again.
  'EXECUTING>AWAITING_DEPOSIT', 'UNKNOWN>AWAITING_DEPOSIT', 'AWAITING_DEPOSIT>SUCCESS', 'AWAITING_DEPOSIT>FAILURE', 'SUCCESS>AWAITING_DEPOSIT',
];
const PAID = sql.raw(`('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED')`);
const PSP_CHARGED = sql.raw(`('DONE', 'CANCELED', 'PARTIAL_CANCELED')`);
/**
 * The PSP took the shopper's money for payment `q`: a virtual account cancelled before its deposit
 * is CANCELED too, but nothing was ever paid into it (no APPROVAL movement).
 */
const PSP_TOOK_MONEY = sql.raw(`(q.status in ('DONE', 'CANCELED', 'PARTIAL_CANCELED') and exists (select 1 from sandbox.transactions a where a.payment_key = q.payment_key and a.kind = 'APPROVAL'))`);
/**
 * A deposit that came after we had ended the virtual account as expired: the PSP holds the money,
 * we hold FAILURE, and the rule is that a person is told (the flag of lib/psp-webhooks, and
 * reconciliation's mismatch), never that it is booked by itself.
 */
const LATE_DEPOSIT_FLAGGED = sql.raw(`(p.status = 'FAILURE' and p.failure_code = 'VIRTUAL_ACCOUNT_EXPIRED' and p.needs_attention like 'PSP says DONE%')`);

/**
 * Safety properties that hold after every step, on top of the product's invariants: they compare
 * our books with the PSP's own records and with the event consumers' effects (the history and
 * the other side, Jepsen-style, rather than our tables alone).
 */
function stepQueries(w: World): NamedCheck[] {
  const m = w.shop.merchantId;
  const mId = w.pspAccount.mId;
  const now = w.clock.now().toISOString();
  const grace = w.policy.depositDueGraceMs;
  return [
    {
      name: 'history-is-a-valid-path',
      description: 'each payment\'s history is a path of allowed transitions (never both SUCCESS and FAILURE) ending in its current status',
      query: sql`with h as (
          select h.payment_id, h.id, h.to_status::text as to_s, lag(h.to_status::text) over (partition by h.payment_id order by h.id) as prev
          from payment_history h join payments p on p.id = h.payment_id where p.merchant_id = ${m} and h.to_status is not null
        ), last as (
          select distinct on (payment_id) payment_id, to_s from h order by payment_id, id desc
        )
        select payment_id, coalesce(prev, '∅') || '>' || to_s as transition from h
          where coalesce(prev, '∅') || '>' || to_s <> all(${`{${ALLOWED_TRANSITIONS.join(',')}}`}::text[])
        union all
        select p.id, 'history ends in ' || coalesce(last.to_s, 'nothing') || ' but the payment is ' || p.status from payments p
          left join last on last.payment_id = p.id where p.merchant_id = ${m} and last.to_s is distinct from p.status::text`,
    },
    {
      name: 'psp-charges-once',
      description: 'the PSP charged each order at most once, approved each payment at most once and never cancelled more than it approved',
      query: sql`select order_id as what, count(*)::int as n from sandbox.payments where m_id = ${mId} and status in ${PSP_CHARGED} group by order_id having count(*) > 1
        union all
        select t.payment_key, count(*) filter (where t.kind = 'APPROVAL')::int from sandbox.transactions t join sandbox.payments q on q.payment_key = t.payment_key
          where t.m_id = ${mId} group by t.payment_key, q.amount
          having count(*) filter (where t.kind = 'APPROVAL') <> 1 or coalesce(sum(t.amount) filter (where t.kind = 'CANCEL'), 0) > q.amount`,
    },
    {
      name: 'booked-only-what-the-psp-did',
      description: 'every payment we hold as paid is charged at the PSP for its order and amount, and we never booked more refunds than the PSP made',
      query: sql`select p.id, p.status, p.amount::text, p.refunded_amount::text, q.status as psp_status, q.amount::text as psp_amount, (q.amount - q.balance_amount)::text as psp_refunded
        from payments p left join sandbox.payments q on q.payment_key = p.psp_payment_key and q.m_id = ${mId}
        where p.merchant_id = ${m} and p.status in ${PAID}
          and (q.payment_key is null or not ${PSP_TOOK_MONEY} or q.amount <> p.amount or q.order_id <> p.order_id or p.refunded_amount > q.amount - q.balance_amount)`,
    },
    {
      name: 'refund-reservations-within-capture',
      description: 'refunds not refused (succeeded or still in flight) never add up to more than the payment',
      query: sql`select p.id, p.amount::text, sum(r.amount)::text as reserved from payments p join refunds r on r.payment_id = p.id and r.status <> 'FAILED'
        where p.merchant_id = ${m} group by p.id, p.amount having sum(r.amount) > p.amount`,
    },
    {
      name: 'one-event-per-outcome',
      description: 'a failed payment has exactly one PaymentFailed event, a succeeded refund exactly one PaymentRefunded; nothing else has one',
      query: sql`select p.id, p.status::text, count(o.id)::int as events from payments p left join outbox o on o.aggregate_id = p.id and o.event_type = 'PaymentFailed'
          where p.merchant_id = ${m} group by p.id having count(o.id) <> case when p.status = 'FAILURE' then 1 else 0 end
        union all
        select r.id, r.status::text, count(o.id)::int from refunds r left join outbox o on o.event_type = 'PaymentRefunded' and o.payload->>'refundId' = r.id
          where r.merchant_id = ${m} group by r.id having count(o.id) <> case when r.status = 'SUCCEEDED' then 1 else 0 end`,
    },
    {
      name: 'refund-is-a-psp-cancel',
      description: 'each succeeded refund is one cancel the PSP made on its payment, for its amount, and no two refunds name the same cancel',
      query: sql`select r.id, r.amount::text, coalesce(r.psp_transaction_key, 'none') as psp_transaction_key, coalesce(t.amount::text, 'no such cancel') as psp_amount
          from refunds r join payments p on p.id = r.payment_id
          left join sandbox.transactions t on t.transaction_key = r.psp_transaction_key and t.kind = 'CANCEL' and t.payment_key = p.psp_payment_key
          where r.merchant_id = ${m} and r.status = 'SUCCEEDED' and (t.transaction_key is null or t.amount <> r.amount)
        union all
        select min(r.id), count(*)::text, r.psp_transaction_key, 'named by several refunds' from refunds r
          where r.merchant_id = ${m} and r.status = 'SUCCEEDED' group by r.psp_transaction_key having count(*) > 1`,
    },
    {
      name: 'one-approval-journal-ever',
      description: 'a payment has at most one approval journal whatever callbacks arrived; one awaiting its deposit has no journal but an approval its reversal undid',
      query: sql`select p.id, p.status::text, count(j.id) filter (where j.kind = 'PAYMENT_APPROVAL')::int as approvals,
          count(j.id) filter (where j.kind = 'CORRECTION' and j.external_ref like 'deposit-reversal:%')::int as reversals, count(j.id)::int as journals
        from payments p join journals j on j.payment_id = p.id where p.merchant_id = ${m}
        group by p.id, p.status
        having count(j.id) filter (where j.kind = 'PAYMENT_APPROVAL') > 1
          or (p.status = 'AWAITING_DEPOSIT' and (count(j.id) filter (where j.kind = 'PAYMENT_APPROVAL') <> count(j.id) filter (where j.kind = 'CORRECTION' and j.external_ref like 'deposit-reversal:%')
            or count(j.id) filter (where j.kind not in ('PAYMENT_APPROVAL', 'CORRECTION')) > 0))`,
    },
    {
      // The expiry may run at due date + grace exactly (expire-deposits compares with <=), so a
      // deposit at that same instant is not "before" it: the PSP may take it after our lookup.
      name: 'expired-only-when-due-and-unpaid',
      description: 'a virtual account we ended as expired was past its due date at the PSP, and nothing was paid into it before our expiry could run (due date + grace)',
      query: sql`select p.id, q.payment_key, q.status::text as psp_status, q.va_due_at, a.occurred_at as deposited_at
        from payments p join sandbox.payments q on q.payment_key = p.psp_payment_key and q.m_id = ${mId}
        left join sandbox.transactions a on a.payment_key = q.payment_key and a.kind = 'APPROVAL'
        where p.merchant_id = ${m} and p.status = 'FAILURE' and p.failure_code = 'VIRTUAL_ACCOUNT_EXPIRED'
          and (q.va_due_at > ${now}::timestamptz or a.occurred_at < q.va_due_at + ${grace}::bigint * interval '1 millisecond')`,
    },
    {
      name: 'projection-exactly-once',
      description: 'the balance projection equals the fold of exactly the events it recorded as consumed (each event applied once)',
      query: sql`with consumed as (
          select o.payload from outbox o join consumed_events c on c.event_id = o.event_id and c.consumer = ${BALANCE_PROJECTION} where o.merchant_id = ${m}
        ), fold as (
          select coalesce(sum(case payload->>'type' when 'PaymentApproved' then (payload->>'amount')::bigint - (payload->>'platformFee')::bigint
                                                   when 'PaymentRefunded' then -(payload->>'amount')::bigint else 0 end), 0) as payable,
                 count(*) filter (where payload->>'type' = 'PaymentApproved') as approved,
                 count(*) filter (where payload->>'type' = 'PaymentFailed') as failed
          from consumed
        )
        select f.payable::text, f.approved::int, f.failed::int, b.payable::text as projected, b.approved_count, b.failed_count
        from fold f left join merchant_balances b on b.merchant_id = ${m} and b.currency = 'KRW'
        where f.payable <> coalesce(b.payable, 0) or f.approved <> coalesce(b.approved_count, 0) or f.failed <> coalesce(b.failed_count, 0)`,
    },
    {
      name: 'consumed-events-exist',
      description: 'the consumer recorded only events that are in the outbox (the seed\'s database holds nothing else)',
      query: sql`select c.event_id from consumed_events c where c.consumer = ${BALANCE_PROJECTION}
        and not exists (select 1 from outbox o where o.event_id = c.event_id)`,
    },
  ];
}

/** After quiescence: everything has finished, and both sides and every consumer agree. */
function finalQueries(w: World): NamedCheck[] {
  const m = w.shop.merchantId;
  const mId = w.pspAccount.mId;
  const now = w.clock.now().toISOString();
  const grace = w.policy.depositDueGraceMs;
  return [
    {
      name: 'nothing-unfinished',
      description: 'no payment is unfinished or flagged for a person (but a late deposit, which must be), none awaits a deposit past its due date, no refund in flight, no webhook undelivered or unprocessed, no event unpublished',
      query: sql`select 'payment' as what, p.id, p.status::text, p.needs_attention as detail from payments p
          where p.merchant_id = ${m} and (p.status in ('NOT_STARTED', 'EXECUTING', 'UNKNOWN') or (p.needs_attention is not null and not ${LATE_DEPOSIT_FLAGGED}))
        union all select 'deposit past due', p.id, p.status::text, va.due_at::text from payments p join virtual_accounts va on va.payment_id = p.id
          where p.merchant_id = ${m} and p.status = 'AWAITING_DEPOSIT' and va.due_at + ${grace}::bigint * interval '1 millisecond' < ${now}::timestamptz
        union all select 'refund', id, status::text, failure_message from refunds where merchant_id = ${m} and status in ('PENDING', 'UNKNOWN')
        union all select 'psp-webhook', transmission_id, status::text, last_result from sandbox.webhook_deliveries where m_id = ${mId} and status <> 'DELIVERED'
        union all select 'webhook-receipt', transmission_id, 'unprocessed', event_type from psp_webhook_receipts where processed_at is null
        union all select 'outbox', event_id, 'unpublished', event_type from outbox where merchant_id = ${m} and published_at is null`,
    },
    {
      name: 'psp-charges-are-ours',
      description: 'every payment the PSP took money for is paid with us, with the refunds the PSP made (no lost approved payment); a deposit after our expiry is flagged instead',
      query: sql`select q.payment_key, q.order_id, q.status::text as psp_status, q.amount::text, (q.amount - q.balance_amount)::text as psp_refunded,
          p.id, p.status::text, p.refunded_amount::text, p.needs_attention
        from sandbox.payments q left join payments p on p.psp_payment_key = q.payment_key
        where q.m_id = ${mId} and ${PSP_TOOK_MONEY}
          and (p.id is null or p.status not in ${PAID} or p.refunded_amount <> q.amount - q.balance_amount) and not coalesce(${LATE_DEPOSIT_FLAGGED}, false)`,
    },
    {
      name: 'late-deposit-reported',
      description: 'money the PSP took for a payment we hold as FAILURE (a deposit after the expiry) is flagged for a person, never booked',
      query: sql`select q.payment_key, q.status::text as psp_status, p.id, p.status::text, p.failure_code, p.needs_attention
        from sandbox.payments q join payments p on p.psp_payment_key = q.payment_key
        where q.m_id = ${mId} and ${PSP_TOOK_MONEY} and p.status = 'FAILURE' and not ${LATE_DEPOSIT_FLAGGED}`,
    },
    {
      name: 'psp-cancels-are-our-refunds',
      description: 'every cancel the PSP made is exactly one succeeded refund of ours (no cancel sent twice, none we do not know of)',
      query: sql`select t.transaction_key, t.payment_key, t.amount::text from sandbox.transactions t
        where t.m_id = ${mId} and t.kind = 'CANCEL'
          and (select count(*) from refunds r where r.merchant_id = ${m} and r.status = 'SUCCEEDED' and r.psp_transaction_key = t.transaction_key) <> 1`,
    },
    {
      name: 'every-event-consumed',
      description: 'every outbox event reached the balance projection',
      query: sql`select o.event_id, o.event_type from outbox o where o.merchant_id = ${m}
        and not exists (select 1 from consumed_events c where c.consumer = ${BALANCE_PROJECTION} and c.event_id = o.event_id)`,
    },
  ];
}

async function runQueries(w: World, checks: NamedCheck[]): Promise<Violation[]> {
  return fromInvariants(await runChecks(w.checkDb, checks));
}

function fromInvariants(results: InvariantResult[]): Violation[] {
  return results.filter((r) => r.violations > 0).map((r) => ({ name: r.name, description: r.description, sample: r.sample }));
}

function clientPromises(w: World): Violation[] {
  return w.problems.length ? [{ name: 'client-promises', description: 'what a shopper or merchant was told holds', sample: w.problems.slice(0, 5) }] : [];
}

/**
 * After every step. The invariants' time limits are days of real time here: simulated time runs
 * ahead of the database's now(), so "published within 5 minutes" and "no payment unfinished for
 * an hour" are judged after quiescence instead, with no slack at all.
 */
export async function checkStep(w: World): Promise<Violation[]> {
  const [invariants, sim] = await Promise.all([
    checkInvariants(w.checkDb, { merchantId: w.shop.merchantId, outboxLagLimit: '1 day', unfinishedLimit: '1 day' }),
    runQueries(w, stepQueries(w)),
  ]);
  const bus = w.channel.problems.length ? [{ name: 'valid-events-on-the-bus', description: 'every message on the topic is a valid event', sample: w.channel.problems.slice(0, 5) }] : [];
  return [...fromInvariants(invariants), ...sim, ...bus, ...(await eventsInKeyOrder(w)), ...(await expiredAfterDeposit(w)), ...clientPromises(w)];
}

/**
 * An account we ended as expired must not have been paid into in an earlier step: the expiry
 * looks the payment up first, and a PSP that already has the deposit says DONE (which books it).
 * Deposit and expiry in the same step (a burst) may go either way; a deposit in a later step is
 * a late deposit, flagged and never booked (checked at the end).
 */
async function expiredAfterDeposit(w: World): Promise<Violation[]> {
  const rows = (await w.checkDb.execute(sql`select id, psp_payment_key as key from payments
    where merchant_id = ${w.shop.merchantId} and status = 'FAILURE' and failure_code = 'VIRTUAL_ACCOUNT_EXPIRED'`)) as unknown as { id: string; key: string }[];
  const sample: unknown[] = [];
  for (const r of rows) {
    if (!w.expiredSeenInStep.has(r.id)) w.expiredSeenInStep.set(r.id, w.step);
    const deposited = w.depositedInStep.get(r.key);
    if (deposited !== undefined && deposited < w.expiredSeenInStep.get(r.id)!) sample.push({ paymentId: r.id, depositedInStep: deposited, expiredInStep: w.expiredSeenInStep.get(r.id) });
  }
  return sample.length ? [{ name: 'no-expiry-after-a-deposit', description: 'a virtual account we ended as expired had not been paid into in an earlier step (the expiry looks it up first)', sample }] : [];
}

/**
 * Per key (payment), events reach the topic in outbox order, with any number of relays: the
 * outbox ids of a payment, in the order they first reached the topic, are the first ids of
 * that payment's outbox rows in id order. So no consumer can see an event of a payment before
 * an earlier one (a redelivery of an event already on the topic is allowed: consumers dedupe).
 */
async function eventsInKeyOrder(w: World): Promise<Violation[]> {
  const arrivals = w.channel.firstArrivals();
  if (arrivals.size === 0) return [];
  const rows = (await w.checkDb.execute(sql`select aggregate_id as key, array_agg(id::text order by id) as ids from outbox
    where merchant_id = ${w.shop.merchantId} group by aggregate_id`)) as unknown as { key: string; ids: string[] }[];
  const outboxOrder = new Map(rows.map((r) => [r.key, r.ids]));
  const sample: unknown[] = [];
  for (const [key, arrived] of arrivals) {
    const expected = (outboxOrder.get(key) ?? []).slice(0, arrived.length);
    if (arrived.some((id, i) => id !== expected[i])) sample.push({ key, arrived: arrived.join(' '), outboxOrder: (outboxOrder.get(key) ?? []).join(' ') });
  }
  return sample.length ? [{ name: 'events-in-key-order', description: 'per payment, events reach the topic in outbox order (none before an earlier one)', sample: sample.slice(0, 5) }] : [];
}

/** After quiescence (faults off, recovery and delivery run until nothing is left to do). */
export async function checkFinal(w: World): Promise<Violation[]> {
  const [step, invariants, final, projection] = await Promise.all([
    checkStep(w),
    checkInvariants(w.checkDb, { merchantId: w.shop.merchantId, outboxLagLimit: '0 seconds', unfinishedLimit: '0 seconds' }),
    runQueries(w, finalQueries(w)),
    checkBalanceProjection(w.db, w.shop.merchantId),
  ]);
  const out = [...step, ...fromInvariants(invariants).filter((v) => !step.some((s) => s.name === v.name)), ...final];
  if (projection.length) out.push({ name: 'projection-equals-ledger', description: 'the balance projection equals the ledger once every event is consumed', sample: projection.map((p) => ({ ...p, projected: String(p.projected), ledger: String(p.ledger) })) });
  if (w.network.lateCount() || w.channel.lag()) out.push({ name: 'nothing-in-flight', description: 'no PSP request or event is still on its way', sample: [{ lateRequests: w.network.lateCount(), unconsumedEvents: w.channel.lag() }] });
  return out;
}
