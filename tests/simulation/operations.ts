import { and, desc, eq, inArray } from 'drizzle-orm';
import { payments } from '@/db/schema';
import { pspPayments, pspWebhookDeliveries } from '@/sandbox/db/schema';
import { kstLocalMicros } from '@/sandbox/lib/clock';
import { PspError } from '@/sandbox/lib/errors';
import { depositToVirtualAccount } from '@/sandbox/lib/virtual-account-bank';
import { cancelVirtualAccount } from '@/lib/refunds/cancel-virtual-account';
import { AppError } from '@/lib/errors';
import { kstDateOf } from '@/lib/kst';
import { createOrder } from '@/lib/orders/create-order';
import { confirmPayment, successRedirectSchema } from '@/lib/payments/confirm-payment';
import type { OrderStatusView } from '@/lib/payments/get-order-status';
import { failRedirectSchema, recordWindowFailure } from '@/lib/payments/record-window-failure';
import { requestPayment } from '@/lib/payments/request-payment';
import { authorizePaymentWindow, type WindowAction } from '@/sandbox/lib/authorize-window';
import { deliverDueWebhooks } from '@/sandbox/lib/deliver-due-webhooks';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { describeTick, recoveryTick } from '@/lib/recovery/recovery-loop';
import { requestRefund } from '@/lib/refunds/request-refund';
import { describePlan, type Plan, type Planned } from './plans';
import type { Prng } from '@/lib/prng';
import { receiveInbound, webhookFetch } from './webhook-network';
import { silentLog, type OrderModel, type World } from './world';

/** Runs a plan against the real code; returns what a client would have seen. */
export async function runPlan(w: World, step: Planned, note: (s: string) => void): Promise<string> {
  const { plan, faults } = step;
  switch (plan.kind) {
    case 'create-order':
      return createOrders(w, w.orders[plan.order]!, plan.copies);
    case 'resubmit-checkout':
      return resubmit(w, w.orders[plan.order]!, plan.changed);
    case 'request-payment': {
      const o = w.orders[plan.order]!;
      if (!o.orderId) return 'no such order';
      return refusalOr(async () => (await requestPayment(w.db, o.orderId!), 'ready'));
    }
    case 'open-window':
      return openWindow(w, plan.order, plan.action, plan.redirect);
    case 'follow-redirect':
      return followRedirect(w, plan, faults, note);
    case 'psp-webhooks': {
      const round = await deliverDueWebhooks(w.pspDb, { now: w.clock.now(), fetch: webhookFetch(w.db, w.psp(faults, note), faults, w.rates.webhook, note) });
      return `${round.delivered}/${round.attempted} delivered`;
    }
    case 'recovery-tick': {
      return describeTick(await recoveryTick(w.db, w.psp(faults, note), w.policy, silentLog, { at: w.clock.now() }));
    }
    case 'refund':
      return refund(w, plan, faults, note);
    case 'relay': {
      const batches = await w.relayRound(faults, note);
      return `published ${batches.map((n) => (n === 'failed' ? 'none (batch failed)' : n)).join(' + ')}`;
    }
    case 'consume':
      return `applied ${await w.channel.consume(w.db, faults, w.rates.consumer, note)}`;
    case 'late-requests':
      return `${await w.network.releaseLate(faults, note)} late requests arrived`;
    case 'advance':
      w.clock.advance(plan.ms);
      return 'ok';
    case 'reconcile':
      return reconcile(w, faults, note);
    case 'deposit':
      return deposit(w, plan.order);
    case 'forged-callback':
      return forgedCallback(w, plan, faults, note);
    case 'due-date-passes':
      return dueDatePasses(w, plan.order, plan.extraMs);
    case 'cancel-virtual-account':
      return cancelAccount(w, plan.order, faults, note);
    case 'callback-again':
      return callbackAgain(w, plan);
    case 'concurrently': {
      const outcomes = await Promise.all(plan.steps.map((s) => runPlan(w, s, note).catch((err: unknown) => {
        throw Object.assign(err as Error, { during: describePlan(w, s.plan) });
      })));
      return outcomes.join(' ‖ ');
    }
  }
}

/** AppErrors are the product saying no (a refused refund, a tampered redirect): expected outcomes. */
async function refusalOr(f: () => Promise<string>): Promise<string> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof AppError) return `refused ${err.code}`;
    throw err;
  }
}

function checkoutRequest(w: World, o: OrderModel, changed = false) {
  const items = o.items.map((i, k) => ({ productId: w.shop.productIds[i.product], quantity: i.quantity + (changed && k === 0 ? 1 : 0) }));
  return { items, checkoutKey: o.checkoutKey };
}

async function createOrders(w: World, o: OrderModel, copies: number): Promise<string> {
  const results = await Promise.all(Array.from({ length: copies }, () => createOrder(w.db, checkoutRequest(w, o))));
  const ids = new Set(results.map((r) => r.orderId));
  if (ids.size !== 1) w.problems.push(`o${o.index}: one checkout key placed ${ids.size} orders`);
  if (results.filter((r) => r.created).length !== 1) w.problems.push(`o${o.index}: ${results.filter((r) => r.created).length} of ${copies} submits say they created the order`);
  if (BigInt(results[0]!.amount) !== o.amount) w.problems.push(`o${o.index}: priced ${results[0]!.amount}, cart is ${o.amount}`);
  o.orderId = results[0]!.orderId;
  o.orderName = results[0]!.orderName;
  return `${o.orderId.slice(-6)} ${results.map((r) => (r.created ? 'created' : 'same order')).join(', ')}`;
}

async function resubmit(w: World, o: OrderModel, changed: boolean): Promise<string> {
  if (!o.orderId) return 'no such order';
  return refusalOr(async () => {
    const again = await createOrder(w.db, checkoutRequest(w, o, changed));
    if (changed) w.problems.push(`o${o.index}: a checkout key was reused for other items and accepted`);
    if (again.orderId !== o.orderId || again.created) w.problems.push(`o${o.index}: a repeated checkout made order ${again.orderId} (created=${again.created})`);
    return again.created ? 'created' : 'same order';
  });
}

async function openWindow(w: World, orderIndex: number, action: WindowAction, redirectIndex: number): Promise<string> {
  const o = w.orders[orderIndex]!;
  if (!o.orderId) return 'no such order';
  const url = await authorizePaymentWindow(w.pspDb, {
    clientKey: w.pspAccount.clientKey,
    orderId: o.orderId,
    orderName: o.orderName,
    amount: Number(o.amount),
    currency: 'KRW',
    successUrl: 'http://shop.sim/checkout/success',
    failUrl: 'http://shop.sim/checkout/fail',
    action,
    payWith: o.payWith,
    validHours: o.validHours,
  }, w.clock.now);
  w.redirects[redirectIndex]!.url = url;
  const u = new URL(url);
  return u.pathname.endsWith('/success') ? `success ${u.searchParams.get('paymentKey')!.slice(-6)}` : `fail ${u.searchParams.get('code')}`;
}

async function followRedirect(w: World, plan: Extract<Plan, { kind: 'follow-redirect' }>, faults: Prng, note: (s: string) => void): Promise<string> {
  const r = w.redirects[plan.redirect]!;
  if (!r.url) return 'no redirect (the window did not open)';
  const url = new URL(r.url);
  const query = Object.fromEntries(url.searchParams);
  const copies = Array.from({ length: plan.copies });
  if (url.pathname.endsWith('/fail')) {
    const input = failRedirectSchema.parse(query);
    const views = await Promise.all(copies.map(() => recordWindowFailure(w.db, w.psp(faults, note), input)));
    return views.map((v) => v.status).join(' | ');
  }
  if (plan.tamper === 'amount') query.amount = String(Number(query.amount) + (faults.chance(0.5) ? 1 : -100));
  if (plan.tamper === 'key') {
    const other = w.redirects[plan.other]?.url;
    query.paymentKey = (other && new URL(other).searchParams.get('paymentKey')) || 'tsim_made_up_key_0000000000';
  }
  const redirect = successRedirectSchema.parse(query);
  const outcomes = await Promise.all(copies.map(() => refusalOr(async () => told(w, r.order, await confirmPayment(w.db, w.psp(faults, note), redirect)))));
  return outcomes.join(' | ');
}

function told(w: World, orderIndex: number, view: OrderStatusView): string {
  const o = w.orders[orderIndex]!;
  if (view.status === 'PAID' || view.status === 'PARTIALLY_REFUNDED' || view.status === 'REFUNDED') o.toldPaid = true;
  return view.status;
}

async function refund(w: World, plan: Extract<Plan, { kind: 'refund' }>, faults: Prng, note: (s: string) => void): Promise<string> {
  const keyIndex = plan.key;
  const k = w.refundKeys[keyIndex]!;
  const o = w.orders[k.order]!;
  if (!o.orderId) return 'no such order';
  // The merchant refunds the order's paid payment (the dashboard shows it), else its latest attempt.
  const [payment] = await w.db.select({ id: payments.id }).from(payments)
    .where(and(eq(payments.orderId, o.orderId), inArray(payments.status, ['SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED'])));
  const [latest] = payment ? [payment] : await w.db.select({ id: payments.id }).from(payments).where(eq(payments.orderId, o.orderId)).orderBy(desc(payments.createdAt)).limit(1);
  if (!latest) return 'no payment';
  const outcomes = await Promise.all(Array.from({ length: plan.copies }, (_, copy) => refusalOr(async () => {
    const { refund: r } = await requestRefund(w.db, w.psp(faults, note, copy === 0 ? plan.cancelFault : undefined), {
      merchantId: w.shop.merchantId,
      paymentId: latest.id,
      idempotencyKey: k.key,
      request: { amount: plan.otherAmount ?? k.amount, reason: 'simulated refund', refundReceiveAccount: o.payWith === 'VIRTUAL_ACCOUNT' && !plan.withoutAccount ? REFUND_ACCOUNT : undefined },
      requestedBy: 'sim-merchant',
    });
    if (k.refundId && k.refundId !== r.id) w.problems.push(`k${keyIndex}: one Idempotency-Key returned refunds ${k.refundId} and ${r.id}`);
    k.refundId ??= r.id;
    if (r.status === 'SUCCEEDED') k.toldSucceeded = true;
    return `${r.status} ${r.amount}`;
  })));
  return outcomes.join(' | ');
}

/** The shopper's bank account a virtual account's refund goes back to (what the merchant's dashboard asks for). */
const REFUND_ACCOUNT = { bank: '88', accountNumber: '110123456789', holderName: '홍길동' };

/** The order's latest virtual account at the PSP (in `statuses` if given). */
async function pspAccountOf(w: World, orderId: string, statuses?: ('IN_PROGRESS' | 'WAITING_FOR_DEPOSIT' | 'DONE')[]) {
  const [row] = await w.pspDb.select().from(pspPayments)
    .where(and(eq(pspPayments.mId, w.pspAccount.mId), eq(pspPayments.orderId, orderId), eq(pspPayments.method, 'VIRTUAL_ACCOUNT'),
      statuses ? inArray(pspPayments.status, statuses) : undefined))
    .orderBy(desc(pspPayments.requestedAt)).limit(1);
  return row;
}

/**
 * The bank takes the shopper's money into the order's virtual account (the sandbox moves its
 * payment to DONE and queues a DEPOSIT_CALLBACK, delivered by later webhook steps through the
 * seeded network). The bank takes it after the due date too; if we had ended the payment by
 * then, it is a late deposit, which must be reported as a mismatch and never booked.
 */
async function deposit(w: World, orderIndex: number): Promise<string> {
  const o = w.orders[orderIndex]!;
  if (!o.orderId) return 'no such order';
  const account = await pspAccountOf(w, o.orderId, ['WAITING_FOR_DEPOSIT']);
  if (!account) return 'no account awaiting a deposit';
  const [ours] = await w.db.select({ status: payments.status, failureCode: payments.failureCode }).from(payments).where(eq(payments.pspPaymentKey, account.paymentKey));
  try {
    await depositToVirtualAccount(w.pspDb, { mId: w.pspAccount.mId, paymentKey: account.paymentKey }, w.clock.now);
    w.depositedInStep.set(account.paymentKey, w.step);
  } catch (err) {
    // A cancel won the race for the account.
    if (err instanceof PspError) return `refused ${err.code}`;
    throw err;
  }
  const afterDue = account.vaDueAt!.getTime() < w.clock.now().getTime();
  return `deposited ${account.paymentKey.slice(-6)}${afterDue ? ' after the due date' : ''}${ours?.status === 'FAILURE' ? ` into a payment we ended (${ours.failureCode}): late deposit` : ''}`;
}

/**
 * A DEPOSIT_CALLBACK that is not the PSP's (a wrong secret, an order we never issued an account
 * for), refused with 401/404 and nothing changed; or one with the genuine secret claiming DONE
 * whatever the PSP says (a replay), accepted and then acted on by the PSP's own record only.
 */
async function forgedCallback(w: World, plan: Extract<Plan, { kind: 'forged-callback' }>, faults: Prng, note: (s: string) => void): Promise<string> {
  const o = w.orders[plan.order]!;
  const account = o.orderId ? await pspAccountOf(w, o.orderId) : undefined;
  if (plan.forgery === 'stale-claim' && !account) return 'no account to replay';
  const body = {
    createdAt: kstLocalMicros(w.clock.now()),
    secret: plan.forgery === 'wrong-secret' || !account ? `ps_forged${w.seed}x${plan.id}${'A'.repeat(12)}` : account.secret!,
    status: 'DONE',
    transactionKey: null,
    orderId: plan.forgery === 'unknown-order' || !o.orderId ? `ord_sim_unknown_${w.seed}_${plan.id}` : o.orderId,
  };
  const res = await receiveInbound(w.db, w.psp(faults, note), `sim-forged-${w.seed}-${plan.id}`, JSON.stringify(body), true, note);
  if (plan.forgery !== 'stale-claim' && res.status < 400) w.problems.push(`o${o.index}: a forged DEPOSIT_CALLBACK (${plan.forgery}) was accepted (HTTP ${res.status})`);
  return `HTTP ${res.status}`;
}

/** Time moves past the due date of the order's latest virtual account and the recovery grace (Toss sends no webhook). */
async function dueDatePasses(w: World, orderIndex: number, extraMs: number): Promise<string> {
  const o = w.orders[orderIndex]!;
  const account = o.orderId ? await pspAccountOf(w, o.orderId) : undefined;
  if (!account) return 'no account issued';
  const ms = account.vaDueAt!.getTime() + w.policy.depositDueGraceMs + extraMs - w.clock.now().getTime();
  if (ms <= 0) return 'already past its due date';
  w.clock.advance(ms);
  return `advanced ${Math.round(ms / 60_000)} min`;
}

/**
 * The PSP queues one of the order's delivered DEPOSIT_CALLBACKs again, due now (the next
 * psp-webhooks step sends it): the same transmission id (our receipt must see a duplicate) or a
 * copy under a new one (a fresh receipt, acted on by a lookup that changes nothing).
 */
async function callbackAgain(w: World, plan: Extract<Plan, { kind: 'callback-again' }>): Promise<string> {
  const o = w.orders[plan.order]!;
  if (!o.orderId) return 'no such order';
  const [sent] = await w.pspDb.select().from(pspWebhookDeliveries)
    .innerJoin(pspPayments, eq(pspPayments.paymentKey, pspWebhookDeliveries.paymentKey))
    .where(and(eq(pspWebhookDeliveries.mId, w.pspAccount.mId), eq(pspPayments.orderId, o.orderId), eq(pspWebhookDeliveries.eventType, 'DEPOSIT_CALLBACK'), eq(pspWebhookDeliveries.status, 'DELIVERED')))
    .orderBy(plan.which === 'first' ? pspWebhookDeliveries.createdAt : desc(pspWebhookDeliveries.createdAt)).limit(1);
  if (!sent) return 'no callback delivered yet';
  const d = sent.webhook_deliveries;
  const status = (JSON.parse(d.body) as { status?: string }).status;
  if (plan.newId === undefined) {
    await w.pspDb.update(pspWebhookDeliveries).set({ status: 'PENDING', nextAttemptAt: w.clock.now() }).where(eq(pspWebhookDeliveries.transmissionId, d.transmissionId));
    return `${status} callback queued again`;
  }
  await w.pspDb.insert(pspWebhookDeliveries).values({ ...d, transmissionId: `sim-again-${w.seed}-${plan.newId}`, status: 'PENDING', retriedCount: 0, nextAttemptAt: w.clock.now(), lastAttemptAt: null, lastResult: null, deliveredAt: null });
  return `${status} callback queued again under a new transmission id`;
}

/** The merchant calls off the order's virtual account before the deposit (a whole cancel, no refund). */
async function cancelAccount(w: World, orderIndex: number, faults: Prng, note: (s: string) => void): Promise<string> {
  const o = w.orders[orderIndex]!;
  if (!o.orderId) return 'no such order';
  const [awaiting] = await w.db.select({ id: payments.id }).from(payments).where(and(eq(payments.orderId, o.orderId), eq(payments.status, 'AWAITING_DEPOSIT')));
  const [latest] = awaiting ? [awaiting] : await w.db.select({ id: payments.id }).from(payments).where(eq(payments.orderId, o.orderId)).orderBy(desc(payments.createdAt)).limit(1);
  if (!latest) return 'no payment';
  return refusalOr(async () => {
    const p = await cancelVirtualAccount(w.db, w.psp(faults, note), { merchantId: w.shop.merchantId, paymentId: latest.id, reason: 'simulated cancel', requestedBy: 'sim-merchant' });
    return `${p.status}${p.failureCode ? ` ${p.failureCode}` : ''}`;
  });
}

async function reconcile(w: World, faults: Prng, note: (s: string) => void): Promise<string> {
  try {
    const run = await runReconciliation(w.db, w.psp(faults, note), reconciliationRange(w), 'simulation');
    return `${run.items} compared ${JSON.stringify(run.counts)}, ${run.settlementJournals} settlement journals`;
  } catch (err) {
    if ((err as Error).message.startsWith('could not read PSP settlements')) return 'settlements unreadable (PSP fault)';
    throw err;
  }
}

/** Every KST day the seed's payments can be dated in. */
export function reconciliationRange(w: World) {
  return { fromDate: kstDateOf(new Date(w.clock.startedAt - 86_400_000)), toDate: kstDateOf(w.clock.now()) };
}
