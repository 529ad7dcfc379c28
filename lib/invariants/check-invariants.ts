import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';

/**
 * The product's invariants (listed in docs/ARCHITECTURE.md) as queries. Each returns the offending rows (at most `sample`),
 * and the checker reports each invariant with its count of violations. Used by every
 * integration test, `npm run check:invariants` and the chaos run.
 */
export interface InvariantResult {
  name: string;
  description: string;
  violations: number;
  sample: unknown[];
}

export interface CheckOptions {
  /** Only this merchant's data (tests run side by side on one database). */
  merchantId?: string;
  /** An outbox row unpublished for longer than this is a violation ("eventually published"). */
  outboxLagLimit?: string;
  /** A payment EXECUTING/UNKNOWN for longer than this, not flagged for a person, is a violation. */
  unfinishedLimit?: string;
  sample?: number;
}

export async function checkInvariants(db: DbOrTx, opts: CheckOptions = {}): Promise<InvariantResult[]> {
  const m = (col: string) => (opts.merchantId ? sql.raw(`${col} = `).append(sql`${opts.merchantId}`) : sql`true`);
  const outboxLag = opts.outboxLagLimit ?? '5 minutes';
  const unfinished = opts.unfinishedLimit ?? '1 hour';
  const checks: NamedCheck[] = [
    {
      name: 'journal-balanced',
      description: 'every journal sums to zero per currency and has at least two lines',
      query: sql`select j.id, l.currency, coalesce(sum(l.amount), 0)::text as total, count(l.id)::int as lines
        from journals j left join journal_lines l on l.journal_id = j.id where ${m('j.merchant_id')}
        group by j.id, l.currency having coalesce(sum(l.amount), 0) <> 0 or count(l.id) < 2`,
    },
    {
      name: 'trial-balance-zero',
      description: 'the ledger of each merchant sums to zero per currency',
      query: sql`select a.merchant_id, l.currency, sum(l.amount)::text as total
        from journal_lines l join ledger_accounts a on a.id = l.account_id where ${m('a.merchant_id')}
        group by a.merchant_id, l.currency having sum(l.amount) <> 0`,
    },
    {
      name: 'one-approval-journal-per-success',
      description: 'a successful (or refunded) payment has exactly one approval journal; a failed or unfinished one has none (or its approval reversed with its deposit)',
      query: sql`select p.id, p.status, count(j.id) filter (where j.kind = 'PAYMENT_APPROVAL')::int as approval_journals,
          count(j.id) filter (where j.kind = 'CORRECTION' and j.external_ref like 'deposit-reversal:%')::int as reversals
        from payments p left join journals j on j.payment_id = p.id where ${m('p.merchant_id')}
        group by p.id having count(j.id) filter (where j.kind = 'PAYMENT_APPROVAL')
          - count(j.id) filter (where j.kind = 'CORRECTION' and j.external_ref like 'deposit-reversal:%')
          <> case when p.status in ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED') then 1 else 0 end`,
    },
    {
      name: 'one-approval-event-per-success',
      description: 'a successful payment has exactly one PaymentApproved event (replays share its id); a failed one has none (or its approval reversed with its deposit)',
      query: sql`select p.id, p.status, count(distinct o.event_id) filter (where o.event_type = 'PaymentApproved')::int as events
        from payments p left join outbox o on o.aggregate_id = p.id and o.event_type in ('PaymentApproved', 'PaymentDepositReversed') where ${m('p.merchant_id')}
        group by p.id having count(distinct o.event_id) filter (where o.event_type = 'PaymentApproved')
          - count(distinct o.event_id) filter (where o.event_type = 'PaymentDepositReversed')
          <> case when p.status in ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED') then 1 else 0 end`,
    },
    {
      name: 'approved-equals-ordered',
      description: 'the amount approved equals the amount the order was created with',
      query: sql`select p.id, p.amount::text, o.amount::text as order_amount from payments p join orders o on o.id = p.order_id
        where ${m('p.merchant_id')} and (p.amount <> o.amount or p.currency <> o.currency)`,
    },
    {
      name: 'one-capture-per-order',
      description: 'an order is paid by at most one payment attempt',
      query: sql`select order_id, count(*)::int as paid from payments
        where ${m('merchant_id')} and status in ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED') group by order_id having count(*) > 1`,
    },
    {
      name: 'refunds-within-capture',
      description: 'succeeded refunds add up to the payment\'s refunded amount, never above what was captured',
      query: sql`select p.id, p.amount::text, p.refunded_amount::text, coalesce(sum(r.amount) filter (where r.status = 'SUCCEEDED'), 0)::text as refunds
        from payments p left join refunds r on r.payment_id = p.id where ${m('p.merchant_id')}
        group by p.id having p.refunded_amount > p.amount or p.refunded_amount <> coalesce(sum(r.amount) filter (where r.status = 'SUCCEEDED'), 0)`,
    },
    {
      name: 'one-journal-per-refund',
      description: 'each succeeded refund has exactly one refund journal, and no other refund has one',
      query: sql`select r.id, r.status, count(j.id)::int as journals from refunds r
        left join journals j on j.kind = 'REFUND' and j.external_ref = r.id where ${m('r.merchant_id')}
        group by r.id having count(j.id) <> case when r.status = 'SUCCEEDED' then 1 else 0 end`,
    },
    {
      name: 'psp-cancel-in-ledger',
      description: 'no payment the PSP has cancelled (its webhook re-fetched, or the latest reconciliation) is still SUCCESS/PARTIALLY_REFUNDED with less refunded in our ledger',
      // Evidence we hold from the PSP itself: the flag a re-fetched webhook left (lib/psp-webhooks)
      // and the payment's latest reconciliation verdict. Refunds in flight explain a gap for a while.
      query: sql`select p.id, p.status, p.refunded_amount::text, p.needs_attention, i.psp->>'status' as psp_status
        from payments p
        left join lateral (select r.psp, r.classification from reconciliation_items r where r.payment_id = p.id order by r.id desc limit 1) i on true
        where ${m('p.merchant_id')} and p.status in ('SUCCESS', 'PARTIALLY_REFUNDED')
          and not exists (select 1 from refunds f where f.payment_id = p.id and f.status in ('PENDING', 'UNKNOWN'))
          and (p.needs_attention ~ '^PSP says (PARTIAL_)?CANCELED'
            or (i.classification = 'STATUS_MISMATCH' and i.psp->>'status' in ('CANCELED', 'PARTIAL_CANCELED')
              -- What the PSP had refunded when reconciliation looked: a refund of ours it made
              -- then, booked since, closes the gap without a new run (no refunded = all of it).
              and coalesce((i.psp->>'refunded')::bigint, p.amount) > p.refunded_amount))`,
    },
    {
      name: 'awaiting-deposit-has-account',
      description: 'a payment awaiting its deposit has its virtual account and one PaymentAwaitingDeposit event; a virtual account belongs to a payment that went through AWAITING_DEPOSIT',
      query: sql`select p.id, p.status, (va.payment_id is not null) as has_account, count(distinct o.event_id)::int as events
        from payments p
        left join virtual_accounts va on va.payment_id = p.id
        left join outbox o on o.aggregate_id = p.id and o.event_type = 'PaymentAwaitingDeposit'
        where ${m('p.merchant_id')} and (p.status = 'AWAITING_DEPOSIT' or va.payment_id is not null)
        group by p.id, va.payment_id
        having va.payment_id is null or count(distinct o.event_id) <> 1`,
    },
    {
      name: 'deposit-reversal-booked',
      description: 'every reversed deposit has its reversing journal and is flagged for the merchant',
      query: sql`select p.id, count(distinct h.id)::int as reversals, count(distinct j.id)::int as journals, p.needs_attention
        from payments p join payment_history h on h.payment_id = p.id and h.event = 'DEPOSIT_REVERSED'
        left join journals j on j.payment_id = p.id and j.kind = 'CORRECTION' and j.external_ref like 'deposit-reversal:%'
        where ${m('p.merchant_id')} group by p.id
        having count(distinct h.id) <> count(distinct j.id) or p.needs_attention is null`,
    },
    {
      name: 'deposits-finish',
      description: `no payment awaits a deposit more than ${unfinished} past its due date without being flagged for a person`,
      query: sql`select p.id, va.due_at from payments p join virtual_accounts va on va.payment_id = p.id
        where ${m('p.merchant_id')} and p.status = 'AWAITING_DEPOSIT' and p.needs_attention is null and va.due_at < now() - ${unfinished}::interval`,
    },
    {
      name: 'outbox-published',
      description: `every outbox event is published within ${outboxLag}`,
      query: sql`select id::text, event_type, created_at from outbox
        where ${m('merchant_id')} and published_at is null and created_at < now() - ${outboxLag}::interval`,
    },
    {
      name: 'payments-finish',
      description: `no payment stays EXECUTING/UNKNOWN for more than ${unfinished} without being flagged for a person`,
      query: sql`select id, status, updated_at from payments
        where ${m('merchant_id')} and status in ('EXECUTING', 'UNKNOWN') and needs_attention is null and updated_at < now() - ${unfinished}::interval`,
    },
  ];
  return runChecks(db, checks, opts.sample);
}

/** A named query whose rows are violations. */
export interface NamedCheck {
  name: string;
  description: string;
  query: SQL;
}

/**
 * Runs checks as one statement, one row per check (its count and a sample as JSON): one round
 * trip instead of one per check, which matters to callers that check after every step (tests,
 * the seeded simulator). The invariants above, the simulator's and the chaos run's checks all
 * run through here.
 */
export async function runChecks(db: DbOrTx, checks: NamedCheck[], sample = 5): Promise<InvariantResult[]> {
  const perCheck = checks.map((c) => sql`select ${c.name}::text as name, count(*)::int as n,
      coalesce(jsonb_agg(to_jsonb(v) - 'sample_rn') filter (where v.sample_rn <= ${sample}), '[]'::jsonb) as sample
    from (select q.*, row_number() over () as sample_rn from (${c.query}) q) v`);
  const rows = (await db.execute(sql.join(perCheck, sql` union all `))) as unknown as { name: string; n: number; sample: unknown[] }[];
  const byName = new Map(rows.map((r) => [r.name, r]));
  return checks.map((c) => ({ name: c.name, description: c.description, violations: byName.get(c.name)?.n ?? 0, sample: byName.get(c.name)?.sample ?? [] }));
}

export const totalViolations = (results: InvariantResult[]) => results.reduce((s, r) => s + r.violations, 0);
