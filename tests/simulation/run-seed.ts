import { and, eq, inArray, sql } from 'drizzle-orm';
import { outbox, payments, pspWebhookReceipts, reconciliationItems, refunds, virtualAccounts } from '@/db/schema';
import { pspWebhookDeliveries } from '@/sandbox/db/schema';
import { deliverDueWebhooks } from '@/sandbox/lib/deliver-due-webhooks';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { describeTick, recoveryTick } from '@/lib/recovery/recovery-loop';
import { defaultRecoveryPolicy } from '@/lib/recovery/recovery-policy';
import { VIRTUAL_ACCOUNT_EXPIRED } from '@/lib/payments/pay-method';
import { checkFinal, checkStep, type Violation } from './checks';
import { reconciliationRange, runPlan } from './operations';
import { describePlan, planStep } from './plans';
import { Prng } from '@/lib/prng';
import type { SeedDatabases } from './seed-databases';
import { webhookFetch } from './webhook-network';
import { silentLog, World, type FaultRates } from './world';

export interface SeedResult {
  seed: number;
  steps: number;
  ok: boolean;
  /** Every step with its outcome and the faults that struck, in order. */
  trace: string[];
  violations: Violation[];
  /** An operation threw something other than the product's own refusals (a 500 to a client). */
  error?: string;
  ms: number;
}

const INTENSITY = { none: 0, low: 0.05, medium: 0.15, high: 0.3 } as const;
/** Rounds of fault-free recovery and delivery allowed before "still unfinished" is a failure. */
const QUIESCENCE_ROUNDS = 40;

/**
 * Runs one seed: `steps` operations and faults chosen by the seed, the invariants checked after
 * each; then quiescence (faults off; late requests arrive, relay, consumers, webhooks and
 * recovery run with time moving on) and the final checks, where nothing may be left unfinished
 * and our books, the PSP's and the consumers' must agree. `watch` gets the trace as it grows, so
 * a seed that never finishes can still show its steps.
 */
export async function runSeed(seed: number, databases: SeedDatabases, steps: number, watch?: (trace: string[]) => void): Promise<SeedResult> {
  const started = performance.now();
  const rng = new Prng(seed);
  const intensity = rng.weighted({ none: 1, low: 2, medium: 3, high: 3 });
  const rate = () => Math.round(INTENSITY[intensity] * (0.5 + rng.float()) * 100) / 100;
  const rates: FaultRates = { psp: rate(), webhook: rate(), relay: rate(), consumer: rate() };
  const feeBps = rng.pick([0, 250, 333]);
  // Grace 0 lets the poller race a confirm still in flight, which must be as safe as the default.
  const graceMs = rng.chance(0.3) ? 0 : defaultRecoveryPolicy.graceMs;
  // Several relay instances with small batches split one payment's events between them.
  const relaySetup = { instances: rng.int(1, 3), batchSize: rng.pick([1, 2, 3, 5, 20]), pace: rng.chance(0.4) ? 'seldom' as const : 'often' as const };
  const trace: string[] = [`faults ${intensity} ${JSON.stringify(rates)}; platform fee ${feeBps} bps; recovery grace ${graceMs / 1000} s; ${relaySetup.instances} relay(s), batches of ${relaySetup.batchSize}, relaying ${relaySetup.pace}`];
  watch?.(trace);
  const result = (extra: Partial<SeedResult>): SeedResult => ({ seed, steps, ok: false, trace, violations: [], ms: performance.now() - started, ...extra });

  const database = await databases.create();
  try {
    const w = await World.create(seed, database, rates, feeBps, { ...defaultRecoveryPolicy, graceMs }, relaySetup);
    for (let i = 1; i <= steps; i++) {
      w.step = i;
      const step = planStep(w, rng);
      const line = `#${String(i).padStart(3, '0')} ${w.clock.elapsed()} ${describePlan(w, step.plan)}`;
      const notes: string[] = [];
      try {
        const outcome = await runPlan(w, step, (s) => notes.push(s));
        trace.push(`${line} → ${outcome}${notes.length ? `   [${notes.join('; ')}]` : ''}`);
      } catch (err) {
        trace.push(`${line} → THREW${notes.length ? `   [${notes.join('; ')}]` : ''}`);
        return result({ error: errorText(err) });
      }
      const violations = await checkStep(w);
      if (violations.length) return result({ violations });
    }
    const stuck = await quiesce(w, trace);
    if (stuck) return result(stuck);
    const reconciliation = await finalReconciliation(w, trace);
    // Its lookups expire payments at the PSP, whose webhooks must arrive like any other.
    const stuckAfter = await quiesce(w, trace);
    if (stuckAfter) return result(stuckAfter);
    const violations = [...reconciliation, ...(await checkFinal(w)), ...(await promisesKept(w))];
    trace.push(await virtualAccountSummary(w));
    return result({ ok: violations.length === 0, violations });
  } catch (err) {
    return result({ error: errorText(err) });
  } finally {
    await database.dispose();
  }
}

/**
 * Faults off, and everything owed happens, time moving on as the workers would see it. The event
 * bus keeps the seed's faults for the first rounds: a relay dying after Kafka's ack or a consumer
 * replaying a batch delays nothing forever, it only delivers again, and every seed's events
 * should meet that at least once.
 */
async function quiesce(w: World, trace: string[]): Promise<Partial<SeedResult> | undefined> {
  const bus = { relay: w.rates.relay, consumer: w.rates.consumer };
  const rng = new Prng(w.seed ^ 0x51e57);
  const note = (s: string) => trace.push(`      ${s}`);
  for (let round = 1; round <= QUIESCENCE_ROUNDS; round++) {
    w.step++;
    w.rates = { psp: 0, webhook: 0, ...(round <= 2 ? bus : { relay: 0, consumer: 0 }) };
    const late = await w.network.releaseLate(rng, note);
    const webhooks = await deliverDueWebhooks(w.pspDb, { now: w.clock.now(), fetch: webhookFetch(w.db, w.psp(rng, note), rng, 0, note) });
    const tick = await recoveryTick(w.db, w.psp(rng, note), w.policy, silentLog, { at: w.clock.now() });
    const { published, consumed } = await drainEvents(w, rng, note);
    trace.push(`~${String(round).padStart(2, '0')} ${w.clock.elapsed()} quiesce: ${late} late, ${webhooks.delivered} webhooks, recovery: ${describeTick(tick)}, ${published} published, ${consumed} consumed`);
    const violations = await checkStep(w);
    if (violations.length) return { violations };
    if (await isQuiet(w)) return undefined;
    w.clock.advance(await untilNextDue(w));
  }
  return { violations: await checkFinal(w).then((v) => v.length ? v : [{ name: 'quiescence', description: `still busy after ${QUIESCENCE_ROUNDS} rounds`, sample: [] }]) };
}

/** Relays and consumes until a batch comes back empty or fails (a fault: the next round goes on). */
async function drainEvents(w: World, rng: Prng, note: (s: string) => void): Promise<{ published: number; consumed: number }> {
  let published = 0;
  let consumed = 0;
  // Until a round of every relay instance publishes nothing (a failed batch counts as nothing:
  // the next quiescence round goes on).
  for (let n = -1; n !== 0;) {
    n = (await w.relayRound(rng, note)).reduce<number>((s, b) => s + (b === 'failed' ? 0 : b), 0);
    published += n;
  }
  for (let n = -1; n !== 0;) {
    n = await w.channel.consume(w.db, rng, w.rates.consumer, note);
    consumed += n;
  }
  return { published, consumed };
}

async function isQuiet(w: World): Promise<boolean> {
  if (w.network.lateCount() || w.channel.lag()) return false;
  const m = w.shop.merchantId;
  const [row] = (await w.db.execute(sql`select
      (select count(*) from ${payments} where ${payments.merchantId} = ${m} and ${payments.status} in ('NOT_STARTED', 'EXECUTING', 'UNKNOWN') and ${payments.needsAttention} is null)
    + (select count(*) from ${refunds} where ${refunds.merchantId} = ${m} and ${refunds.status} in ('PENDING', 'UNKNOWN'))
    + (select count(*) from ${pspWebhookDeliveries} where ${pspWebhookDeliveries.mId} = ${w.pspAccount.mId} and ${pspWebhookDeliveries.status} = 'PENDING')
    + (select count(*) from ${pspWebhookReceipts} where ${pspWebhookReceipts.processedAt} is null)
    + (select count(*) from ${outbox} where ${outbox.merchantId} = ${m} and ${outbox.publishedAt} is null)
    + (select count(*) from ${payments} join ${virtualAccounts} on ${virtualAccounts.paymentId} = ${payments.id}
        where ${payments.merchantId} = ${m} and ${payments.status} = 'AWAITING_DEPOSIT' and ${payments.needsAttention} is null
          and ${virtualAccounts.dueAt} + ${w.policy.depositDueGraceMs}::bigint * interval '1 millisecond' < ${w.clock.now().toISOString()}::timestamptz) as busy`)) as unknown as { busy: string }[];
  return Number(row!.busy) === 0;
}

/** Ten minutes (past the recovery backoff cap and the confirm window), or until the PSP's next webhook retry. */
async function untilNextDue(w: World): Promise<number> {
  const [next] = await w.pspDb.select({ at: sql<Date | null>`min(${pspWebhookDeliveries.nextAttemptAt})`.mapWith((v) => (v ? new Date(v) : null)) })
    .from(pspWebhookDeliveries).where(and(eq(pspWebhookDeliveries.mId, w.pspAccount.mId), eq(pspWebhookDeliveries.status, 'PENDING')));
  const tenMinutes = 10 * 60_000;
  return Math.max(tenMinutes, (next?.at?.getTime() ?? 0) - w.clock.now().getTime());
}

/** Reconciliation over every day of the seed must find nothing to report, and post settlements once. */
async function finalReconciliation(w: World, trace: string[]): Promise<Violation[]> {
  const rng = new Prng(w.seed ^ 0x2ec0);
  const psp = w.psp(rng, () => {});
  const first = await runReconciliation(w.db, psp, reconciliationRange(w), 'simulation-final');
  const second = await runReconciliation(w.db, psp, reconciliationRange(w), 'simulation-final');
  trace.push(`== reconciliation: ${first.items} compared ${JSON.stringify(first.counts)}, ${first.settlementJournals} settlement journals; again: ${second.settlementJournals}`);
  const out: Violation[] = [];
  // A deposit that came after we ended its virtual account as expired is the one mismatch allowed, and it must be one.
  const late = new Set((await w.db.select({ id: payments.id }).from(payments).where(and(eq(payments.merchantId, w.shop.merchantId), eq(payments.status, 'FAILURE'),
    eq(payments.failureCode, VIRTUAL_ACCOUNT_EXPIRED), sql`${payments.needsAttention} like 'PSP says DONE%'`))).map((p) => p.id));
  const items = await w.db.select().from(reconciliationItems).where(eq(reconciliationItems.runId, first.runId));
  const mismatches = items.filter((i) => i.classification !== 'MATCHED' && !late.has(i.paymentId ?? '')).slice(0, 5);
  if (mismatches.length) out.push({ name: 'reconciliation-clean', description: 'after quiescence, reconciliation matches every payment with the PSP (but a late deposit)', sample: mismatches.map((i) => ({ classification: i.classification, detail: i.detail, ours: i.ours })) });
  const unreported = items.filter((i) => late.has(i.paymentId ?? '') && i.classification === 'MATCHED');
  if (unreported.length) out.push({ name: 'late-deposit-in-reconciliation', description: 'reconciliation reports a deposit taken after our expiry as a mismatch', sample: unreported.slice(0, 5).map((i) => ({ paymentId: i.paymentId, detail: i.detail })) });
  if (second.settlementJournals !== 0) out.push({ name: 'settlements-posted-once', description: 'a second reconciliation posts no settlement journal again', sample: [second] });
  return out;
}

/** What became of the seed's virtual accounts, from both sides' records (tests/simulation/coverage.ts counts these). */
async function virtualAccountSummary(w: World): Promise<string> {
  const m = w.shop.merchantId;
  const [row] = (await w.db.execute(sql`select
      (select count(*) from virtual_accounts va join payments p on p.id = va.payment_id where p.merchant_id = ${m})::int as issued,
      (select count(*) from sandbox.transactions t join sandbox.payments q on q.payment_key = t.payment_key
        where q.m_id = ${w.pspAccount.mId} and q.method = 'VIRTUAL_ACCOUNT' and t.kind = 'APPROVAL')::int as deposited,
      (select count(*) from payments where merchant_id = ${m} and failure_code = ${VIRTUAL_ACCOUNT_EXPIRED})::int as expired,
      (select count(*) from payments where merchant_id = ${m} and failure_code = ${VIRTUAL_ACCOUNT_EXPIRED} and needs_attention like 'PSP says DONE%')::int as late,
      (select count(*) from payments where merchant_id = ${m} and failure_code = 'CANCELED_BEFORE_DEPOSIT')::int as cancelled,
      (select count(*) from refunds r join payments p on p.id = r.payment_id where r.merchant_id = ${m} and p.method = 'VIRTUAL_ACCOUNT' and r.status = 'SUCCEEDED')::int as refunded`)) as unknown as Record<string, number>[];
  return `== virtual accounts: ${Object.entries(row!).map(([k, v]) => `${k} ${v}`).join(', ')}`;
}

/** What clients were told stays true: a paid order stays paid, a succeeded refund stays succeeded. */
async function promisesKept(w: World): Promise<Violation[]> {
  const broken: string[] = [];
  for (const o of w.orders.filter((o) => o.toldPaid && o.orderId)) {
    const paid = await w.db.select({ id: payments.id }).from(payments)
      .where(and(eq(payments.orderId, o.orderId!), inArray(payments.status, ['SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED'])));
    if (paid.length !== 1) broken.push(`o${o.index} was shown as paid and has ${paid.length} paid payments`);
  }
  for (const k of w.refundKeys.filter((k) => k.toldSucceeded)) {
    const [r] = await w.db.select({ status: refunds.status }).from(refunds).where(eq(refunds.id, k.refundId!));
    if (r?.status !== 'SUCCEEDED') broken.push(`k${k.index}: refund ${k.refundId} was reported SUCCEEDED and is ${r?.status}`);
  }
  return broken.length ? [{ name: 'client-promises-kept', description: 'what a shopper or merchant was told stays true', sample: broken }] : [];
}

function errorText(err: unknown): string {
  const e = err as Error & { during?: string; cause?: unknown };
  return `${e.during ? `during ${e.during}: ` : ''}${e.stack ?? String(err)}${e.cause ? `\ncause: ${String((e.cause as Error).message ?? e.cause)}` : ''}`;
}

/** The failure report: enough to replay (seed, steps, commit) and to see what went wrong. */
export function formatFailure(r: SeedResult, gitSha: string): string {
  const lines = [
    `SIMULATION FAILED seed=${r.seed} steps=${r.steps} git=${gitSha}`,
    `replay: npm run simulate -- --seed ${r.seed} --steps ${r.steps}`,
  ];
  if (r.error) lines.push(`an operation failed unexpectedly: ${r.error}`);
  for (const v of r.violations) lines.push(`violated ${v.name}: ${v.description}`, ...v.sample.map((s) => `    ${JSON.stringify(s, bigintSafe)}`));
  lines.push('trace:', ...r.trace.map((t) => `  ${t}`));
  return lines.join('\n');
}

const bigintSafe = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
