/**
 * The merchant side of the chaos run: refunds of paid orders through the merchant API (an API key,
 * `POST /api/payments/{id}/refunds` with an Idempotency-Key), as a merchant's back office sends
 * them while the faults run: partial and full refunds, the same request repeated with its key
 * after an answer, the same key twice at once (a double click), and two different partial refunds
 * of one payment at once. The PSP loses or fails some cancels (chosen by the seed, per payment),
 * the recovery worker is killed with the rest. Every answer is kept and checked afterwards
 * against the database and the PSP's books.
 */
import { sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '@/db/client';
import type { InvariantResult } from '@/lib/invariants/check-invariants';
import type { Prng } from '@/lib/prng';
import { call, describe, isTransient, type Answer } from './http';
import type { OrderHistory } from './shopper';

export type RefundKind = 'partial' | 'full' | 'repeated' | 'same-key-at-once' | 'two-at-once';

export interface RefundAnswer {
  atMs: number;
  result: string;
  /** The refund the answer names, and its status then. */
  refundId?: string;
  status?: string;
  code?: string;
}

export interface RefundRequest {
  kind: RefundKind;
  paymentId: string;
  orderId: string;
  idempotencyKey: string;
  /** Minor units; undefined = the rest. */
  amount?: number;
  answers: RefundAnswer[];
}

export interface RefundStats {
  byKind: Record<RefundKind, number>;
  posts: number;
  transientErrors: number;
}

export const emptyRefundStats = (): RefundStats => ({
  byKind: { partial: 0, full: 0, repeated: 0, 'same-key-at-once': 0, 'two-at-once': 0 }, posts: 0, transientErrors: 0,
});

export interface RefunderContext {
  baseUrl: string;
  seed: number;
  startedAt: number;
  /** A merchant API key per merchant id. */
  apiKeys: Record<string, string>;
  histories: OrderHistory[];
  requests: RefundRequest[];
  stats: RefundStats;
  /** Right before a refund: the seed decides whether the PSP's cancel for this payment fails. */
  beforeRefund(rng: Prng, paymentKey: string | null): Promise<void>;
  shouldStop(): boolean;
}

/** One merchant back office: refunds a paid order now and then until told to stop. */
export async function runRefunder(ctx: RefunderContext, index: number, rng: Prng): Promise<void> {
  const done = new Set<string>();
  for (let n = 0; !ctx.shouldStop(); n++) {
    await sleep(rng.int(300, 1_200));
    // Orders whose shopper was told "paid"; which ones exist depends on timing, the choices on the seed.
    const paid = ctx.histories.filter((h) => h.toldPaid && h.paymentId && h.amount && h.merchant && !done.has(h.paymentId));
    const roll = rng.float();
    const pick = rng.float();
    if (paid.length === 0) continue;
    const h = paid[Math.floor(pick * paid.length)]!;
    const amount = h.amount!;
    const key = (k: number) => `chaos-refund-${ctx.seed}-${index}-${n}-${k}`;
    const part = () => rng.int(1, Math.max(1, Math.floor(amount / 3)));
    const kind: RefundKind = roll < 0.35 ? 'partial' : roll < 0.55 ? 'full' : roll < 0.7 ? 'repeated' : roll < 0.85 ? 'same-key-at-once' : 'two-at-once';
    ctx.stats.byKind[kind]++;
    await ctx.beforeRefund(rng, h.paymentKeys.at(-1) ?? null);
    const request = (idempotencyKey: string, amount?: number): RefundRequest => {
      const r: RefundRequest = { kind, paymentId: h.paymentId!, orderId: h.orderId!, idempotencyKey, amount, answers: [] };
      ctx.requests.push(r);
      return r;
    };
    switch (kind) {
      case 'partial':
        await send(ctx, h, request(key(0), part()));
        break;
      case 'full':
        await send(ctx, h, request(key(0)));
        done.add(h.paymentId!);
        break;
      case 'repeated': {
        const r = request(key(0), part());
        await send(ctx, h, r);
        await sleep(rng.int(100, 1_000));
        await send(ctx, h, r);
        break;
      }
      case 'same-key-at-once': {
        const r = request(key(0), part());
        await Promise.all([send(ctx, h, r), send(ctx, h, r)]);
        break;
      }
      case 'two-at-once': {
        // Together they may ask for more than was paid: one of them must then be refused.
        const a = rng.int(Math.max(1, Math.floor(amount / 3)), Math.max(1, Math.floor((amount * 2) / 3)));
        const b = rng.int(Math.max(1, Math.floor(amount / 3)), Math.max(1, Math.floor((amount * 2) / 3)));
        await Promise.all([send(ctx, h, request(key(0), a)), send(ctx, h, request(key(1), b))]);
        break;
      }
    }
  }
}

/**
 * Posts one refund request; after a 5xx or no answer, the merchant's client retries with the same
 * key, for about 20 s (a back office outlives a web server's restart).
 */
async function send(ctx: RefunderContext, h: OrderHistory, r: RefundRequest): Promise<void> {
  // A virtual account's money goes back to the shopper's bank account, which the refund must name.
  const account = h.payWith === 'VIRTUAL_ACCOUNT' ? { refundReceiveAccount: { bank: '88', accountNumber: '110123456789', holderName: '김토스' } } : {};
  const body = JSON.stringify({ reason: `chaos ${r.kind}`, ...(r.amount === undefined ? {} : { amount: r.amount }), ...account });
  for (let tries = 0; tries < 9; tries++) {
    if (tries) await sleep(Math.min(3_000, 1_000 * tries));
    ctx.stats.posts++;
    const a = await call(`${ctx.baseUrl}/api/payments/${r.paymentId}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.apiKeys[h.merchant!]}`, 'idempotency-key': r.idempotencyKey },
      body,
    });
    r.answers.push(answerOf(ctx, a));
    if (!isTransient(a)) return;
    ctx.stats.transientErrors++;
  }
}

function answerOf(ctx: RefunderContext, a: Answer): RefundAnswer {
  const atMs = Date.now() - ctx.startedAt;
  if (a.kind !== 'answer') return { atMs, result: describe(a) };
  const refund = a.body?.error?.refund ?? a.body;
  return {
    atMs, result: describe(a), code: a.body?.error?.code,
    refundId: typeof refund?.id === 'string' ? refund.id : undefined,
    status: typeof refund?.status === 'string' ? refund.status : undefined,
  };
}

/**
 * The merchant's answers against the database and the PSP's books: a key names one refund; a
 * refund answered SUCCEEDED is booked; one answered FAILED refunded nothing; our refunded amount
 * per payment equals what the PSP cancelled; every refund has an outcome.
 */
export async function refundChecks(db: Db, requests: RefundRequest[]): Promise<InvariantResult[]> {
  const rows = (await db.execute(sql`select id, payment_id, idempotency_key, status::text, amount::text from refunds`)) as unknown as
    { id: string; payment_id: string; idempotency_key: string; status: string; amount: string }[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));

  const oneRefundPerKey = requests.filter((r) => {
    const ids = new Set(r.answers.map((a) => a.refundId).filter(Boolean));
    const stored = byKey.get(r.idempotencyKey);
    return ids.size > 1 || (ids.size === 1 && stored?.id !== [...ids][0]);
  });
  const toldSucceededNotBooked = requests.filter((r) => r.answers.some((a) => a.status === 'SUCCEEDED' && byId.get(a.refundId!)?.status !== 'SUCCEEDED'));
  const toldFailedRefunded = requests.filter((r) => r.answers.some((a) => a.status === 'FAILED' && byId.get(a.refundId!)?.status !== 'FAILED'));
  const pspVsOurs = (await db.execute(sql`select o.id, o.refunded_amount::text as ours, (p.amount - p.balance_amount)::text as psp
    from payments o join sandbox.payments p on p.payment_key = o.psp_payment_key
    where o.refunded_amount <> p.amount - p.balance_amount`)) as unknown as unknown[];
  const unfinished = rows.filter((r) => r.status === 'PENDING' || r.status === 'UNKNOWN');
  const sample = (rs: RefundRequest[]) => rs.slice(0, 3);
  return [
    { name: 'refund-key-one-refund', description: 'every answer to one Idempotency-Key named the one refund stored under it', violations: oneRefundPerKey.length, sample: sample(oneRefundPerKey) },
    { name: 'refund-told-succeeded-is-booked', description: 'every refund the merchant was told SUCCEEDED is SUCCEEDED in the database', violations: toldSucceededNotBooked.length, sample: sample(toldSucceededNotBooked) },
    { name: 'refund-told-failed-not-refunded', description: 'every refund the merchant was told FAILED stayed FAILED', violations: toldFailedRefunded.length, sample: sample(toldFailedRefunded) },
    { name: 'refunded-equals-psp-cancelled', description: 'per payment, our refunded amount equals what the PSP cancelled', violations: pspVsOurs.length, sample: pspVsOurs.slice(0, 5) },
    { name: 'refunds-finish', description: 'every refund reached SUCCEEDED or FAILED', violations: unfinished.length, sample: unfinished.slice(0, 5) },
  ];
}
