/**
 * Shoppers of the chaos run: each loop buys over HTTP exactly as the browser does (checkout →
 * payment request → the sandbox window's form → success/fail redirect → confirm), with the
 * habits of real browsers that payment systems must survive: double-clicked checkout buttons,
 * duplicate and concurrent confirms, a late reload of the success page, retries after a 5xx or
 * a dropped connection, and shoppers who give up. Everything a shopper was told is written to
 * its order's history, which the run checks against the database afterwards (Jepsen-style
 * history checking: a shopper told "paid" must be paid; one told "failed" must not be charged).
 */
import type { OrderStatus } from '@/lib/payments/get-order-status';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, describe, isOk, isTransient, postJson, type Answer } from './http';
import type { Prng } from '@/lib/prng';


const CATALOG = {
  mer_demo: ['prd_demo_beans', 'prd_demo_dripper', 'prd_demo_filters', 'prd_demo_mug', 'prd_demo_kettle'],
  mer_demo_tea: ['prd_tea_sencha', 'prd_tea_pot'],
} as const;

/** Shopper behaviour mix; every draw comes from the shopper's own seeded stream. */
const MIX = {
  doubleClickCheckout: 0.15,
  decline: 0.08,
  cancel: 0.07,
  retryAfterWindowFailure: 0.5,
  concurrentConfirms: 0.25,
  lateRepost: 0.15,
  /** A shopper who leaves after authenticating, before the success page confirms (nothing may be charged). */
  leaveBeforeConfirm: 0.02,
  /** Pays by virtual account: the window issues an account, the money comes later from the bank. */
  virtualAccount: 0.25,
  /** Of those, the share who deposit (0.3–3 s later); the rest never do. */
  deposit: 0.8,
};

export interface Step {
  /** When the answer came, ms since the load started; `ms`: how long the call took. */
  atMs: number;
  ms?: number;
  op: 'checkout' | 'payment-request' | 'window' | 'fail-redirect' | 'confirm' | 'order-page' | 'deposit';
  result: string;
  told?: OrderStatus;
  orderId?: string;
}

export interface OrderHistory {
  shopper: number;
  checkoutKey: string;
  merchant?: string;
  orderId?: string;
  /** Our payment id and its amount, from the confirm's answer (what the merchant later refunds). */
  paymentId?: string;
  amount?: number;
  doubleClick: boolean;
  /** Chosen in the window: a virtual account (else the card the window offers first). */
  payWith?: 'VIRTUAL_ACCOUNT';
  /** The bank accepted the shopper's deposit into the virtual account. */
  deposited: boolean;
  /** The orderId each checkout post answered with (two different ids = a duplicate order). */
  checkoutAnswers: string[];
  paymentKeys: string[];
  steps: Step[];
  /** Ever shown "paid" (PAID) by our server. */
  toldPaid: boolean;
  /** The last payment status the shopper saw before leaving, if any. */
  lastTold?: OrderStatus;
  /** Left without ever reaching a payment outcome (errors, or left before confirming). */
  outcome: 'paid' | 'failed' | 'confirming' | 'awaiting-deposit' | 'abandoned';
}

export interface ShopperStats {
  orders: number;
  paid: number;
  failed: number;
  confirming: number;
  abandoned: number;
  approvals: number;
  confirmPosts: number;
  doubleClicks: number;
  concurrentConfirms: number;
  lateReposts: number;
  /** Virtual accounts issued (confirm said AWAITING_DEPOSIT), and deposits the bank accepted. */
  virtualAccounts: number;
  deposits: number;
  /** Left with an account issued and not paid into (theirs never deposit, or the page had not turned yet). */
  awaitingDeposit: number;
  /** Confirms posted and not answered yet (the web-server kill waits for one). */
  confirmsInFlight: number;
  transientErrors: number;
  /** Wall-clock times (ms since start) of answers that were 5xx or no answer: the client-visible error window. */
  errorTimes: number[];
  /** [answered at, took] of every call, ms: latency before and after a fault. */
  calls: [number, number][];
}

export function emptyStats(): ShopperStats {
  return { orders: 0, paid: 0, failed: 0, confirming: 0, abandoned: 0, approvals: 0, confirmPosts: 0, doubleClicks: 0, concurrentConfirms: 0, lateReposts: 0, virtualAccounts: 0, deposits: 0, awaitingDeposit: 0, confirmsInFlight: 0, transientErrors: 0, errorTimes: [], calls: [] };
}

export interface ShopperContext {
  baseUrl: string;
  seed: number;
  startedAt: number;
  stats: ShopperStats;
  histories: OrderHistory[];
  /** Called right before an approved payment is confirmed: the seed decides whether its PSP call fails. */
  beforeConfirm(rng: Prng, paymentKey: string | null): Promise<void>;
  /** The shopper's bank pays into the virtual account (the sandbox's bank, as a real deposit would). */
  deposit(paymentKey: string): Promise<Answer>;
  shouldStop(): boolean;
}

/** One shopper: buys again and again until told to stop. */
export async function runShopper(ctx: ShopperContext, index: number, rng: Prng): Promise<void> {
  for (let n = 0; !ctx.shouldStop(); n++) {
    const history: OrderHistory = {
      shopper: index, checkoutKey: `chaos_${ctx.seed}_${index}_${n}`, doubleClick: false, deposited: false, checkoutAnswers: [], paymentKeys: [], steps: [], toldPaid: false, outcome: 'abandoned',
    };
    ctx.histories.push(history);
    await buyOnce(ctx, rng, history);
    const s = ctx.stats;
    s.orders++;
    s[history.outcome === 'paid' ? 'paid' : history.outcome === 'failed' ? 'failed' : history.outcome === 'confirming' ? 'confirming'
      : history.outcome === 'awaiting-deposit' ? 'awaitingDeposit' : 'abandoned']++;
    await sleep(rng.int(0, 150)); // think time
  }
}

async function buyOnce(ctx: ShopperContext, rng: Prng, h: OrderHistory): Promise<void> {
  const api = (p: string) => `${ctx.baseUrl}${p}`;
  const note = (step: Omit<Step, 'atMs' | 'ms'>, a?: Answer) => {
    const atMs = Date.now() - ctx.startedAt;
    if (a && isTransient(a)) {
      ctx.stats.transientErrors++;
      ctx.stats.errorTimes.push(atMs);
    }
    if (a) ctx.stats.calls.push([atMs, a.ms]);
    h.steps.push({ atMs, ms: a?.ms, ...step });
    if (step.told) {
      h.lastTold = step.told;
      if (step.told === 'PAID') h.toldPaid = true;
    }
  };

  // Cart: one shop, 1–3 products, 1–3 of each.
  const merchant = rng.chance(0.75) ? 'mer_demo' : 'mer_demo_tea';
  h.merchant = merchant;
  const products = [...CATALOG[merchant]];
  const items: { productId: string; quantity: number }[] = [];
  for (let k = rng.int(1, Math.min(3, products.length)); k > 0; k--) {
    const productId = products.splice(rng.int(0, products.length - 1), 1)[0]!;
    items.push({ productId, quantity: rng.int(1, 3) });
  }

  // Checkout; a double click posts the same cart and key twice at once. After an error the
  // shopper clicks again (same key: the key belongs to the cart, not to the click).
  h.doubleClick = rng.chance(MIX.doubleClickCheckout);
  if (h.doubleClick) ctx.stats.doubleClicks++;
  for (let tries = 0; tries < 4 && !h.orderId; tries++) {
    if (tries) await sleep(400 * tries);
    const answers = await Promise.all(Array.from({ length: h.doubleClick && tries === 0 ? 2 : 1 }, () => postJson(api('/api/checkout'), { items, checkoutKey: h.checkoutKey })));
    for (const a of answers) {
      note({ op: 'checkout', result: describe(a), orderId: isOk(a) ? a.body.orderId : undefined }, a);
      if (isOk(a)) h.checkoutAnswers.push(a.body.orderId);
    }
    h.orderId = h.checkoutAnswers[0];
    if (!h.orderId && answers.every((a) => !isTransient(a))) return; // refused: nothing to pay
  }
  const orderId = h.orderId;
  if (!orderId) return;

  for (let attempt = 0; attempt < 2; attempt++) {
    // Request step: ready the attempt and get the window's parameters.
    let request: any;
    for (let tries = 0; tries < 4 && !request; tries++) {
      if (tries) await sleep(500 * tries);
      const a = await call(api(`/api/orders/${orderId}/payment-request`), { method: 'POST' });
      note({ op: 'payment-request', result: describe(a) }, a);
      if (isOk(a)) request = a.body;
      else if (!isTransient(a)) return; // e.g. 409 already paid / in progress: nothing more to do here
    }
    if (!request) return;

    // The sandbox window: the shopper approves, declines (card refused) or cancels.
    const roll = rng.float();
    const action = roll < MIX.decline ? 'decline' : roll < MIX.decline + MIX.cancel ? 'cancel' : 'approve';
    h.payWith = rng.chance(MIX.virtualAccount) ? 'VIRTUAL_ACCOUNT' : undefined;
    const form = new URLSearchParams({
      clientKey: request.clientKey, orderId, orderName: request.orderName, amount: String(request.amount), currency: request.currency,
      successUrl: api('/checkout/success'), failUrl: api('/checkout/fail'), action, ...(h.payWith ? { payWith: h.payWith } : {}),
    });
    let location: URL | undefined;
    for (let tries = 0; tries < 4 && !location; tries++) {
      if (tries) await sleep(500 * tries);
      // The window's form posts to its own server (the sandbox's), beside the window page.
      const a = await call(`${request.windowUrl}/authorize`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      note({ op: 'window', result: `${action}: ${describe(a)}` }, a);
      if (a.kind === 'answer' && a.status === 303 && a.location) location = new URL(a.location, ctx.baseUrl);
      else if (!isTransient(a)) return;
    }
    if (!location) return;

    if (location.pathname.endsWith('/checkout/fail')) {
      const failure = { orderId, code: location.searchParams.get('code') ?? 'UNKNOWN', message: location.searchParams.get('message') ?? '' };
      let told: OrderStatus | undefined;
      for (let tries = 0; tries < 3 && !told; tries++) {
        if (tries) await sleep(500 * tries);
        const a = await postJson(api('/api/payments/fail'), failure);
        note({ op: 'fail-redirect', result: describe(a), told: isOk(a) ? a.body.status : undefined }, a);
        if (isOk(a)) told = a.body.status;
        else if (!isTransient(a)) break;
      }
      h.outcome = 'failed';
      if (rng.chance(MIX.retryAfterWindowFailure)) continue; // "try another card"
      return;
    }

    // Approved in the window: the browser lands on the success page, which confirms.
    ctx.stats.approvals++;
    // A new approval supersedes what an earlier attempt of the order was told ("failed", then
    // "try another card"): from here the shopper's last word is about this attempt only.
    h.lastTold = undefined;
    const redirect = {
      orderId: location.searchParams.get('orderId'),
      paymentKey: location.searchParams.get('paymentKey'),
      amount: location.searchParams.get('amount'),
      paymentType: location.searchParams.get('paymentType') ?? undefined,
    };
    if (redirect.paymentKey) h.paymentKeys.push(redirect.paymentKey);
    if (rng.chance(MIX.leaveBeforeConfirm)) {
      h.outcome = 'abandoned';
      return;
    }
    await ctx.beforeConfirm(rng, redirect.paymentKey);
    const confirmOnce = async () => {
      ctx.stats.confirmPosts++;
      ctx.stats.confirmsInFlight++;
      const a = await postJson(api('/api/payments/confirm'), redirect).finally(() => ctx.stats.confirmsInFlight--);
      note({ op: 'confirm', result: describe(a), told: isOk(a) ? a.body.status : undefined }, a);
      if (isOk(a) && a.body.payment?.id) {
        h.paymentId = a.body.payment.id;
        h.amount = a.body.amount;
      }
      return a;
    };
    const copies = rng.chance(MIX.concurrentConfirms) ? rng.int(2, 3) : 1;
    if (copies > 1) ctx.stats.concurrentConfirms++;
    let answers = await Promise.all(Array.from({ length: copies }, confirmOnce));
    // A 5xx or a dropped connection: the shopper reloads the success page (the same confirm).
    for (let tries = 1; tries <= 3 && !answers.some(isOk) && answers.every(isTransient); tries++) {
      await sleep(700 * tries);
      answers = [await confirmOnce()];
    }
    if (rng.chance(MIX.lateRepost)) {
      // Back button / reload after the outcome: must change nothing.
      ctx.stats.lateReposts++;
      await sleep(rng.int(300, 2_000));
      await confirmOnce();
    }
    // "Confirming your payment…": the order page polls for a while, then the shopper leaves.
    for (let polls = 0; polls < 6 && h.lastTold === 'CONFIRMING'; polls++) {
      await sleep(1_000);
      const a = await call(api(`/api/orders/${orderId}`));
      note({ op: 'order-page', result: describe(a), told: isOk(a) ? a.body.status : undefined }, a);
      if (isOk(a) && a.body.status === 'PAID' && a.body.payment?.id) {
        h.paymentId = a.body.payment.id;
        h.amount = a.body.amount;
      }
    }
    if (h.lastTold === 'AWAITING_DEPOSIT' && redirect.paymentKey) await payIntoAccount(ctx, rng, h, redirect.paymentKey, note);
    h.outcome = h.lastTold === 'PAID' ? 'paid' : h.lastTold === 'PAYMENT_FAILED' ? 'failed' : h.lastTold === 'CONFIRMING' ? 'confirming'
      : h.lastTold === 'AWAITING_DEPOSIT' ? 'awaiting-deposit' : 'abandoned';
    if (h.outcome === 'failed' && rng.chance(MIX.retryAfterWindowFailure)) continue;
    return;
  }
}

/**
 * A virtual account was issued: most shoppers pay into it from their bank a little later (the
 * deposit reaches us only through the PSP's DEPOSIT_CALLBACK, under the same faults), then watch
 * the order page turn paid; the rest never pay.
 */
async function payIntoAccount(ctx: ShopperContext, rng: Prng, h: OrderHistory, paymentKey: string, note: (step: Omit<Step, 'atMs' | 'ms'>, a?: Answer) => void): Promise<void> {
  ctx.stats.virtualAccounts++;
  if (!rng.chance(MIX.deposit)) return;
  await sleep(rng.int(300, 3_000));
  for (let tries = 0; tries < 4 && !h.deposited; tries++) {
    if (tries) await sleep(1_000 * tries);
    const a = await ctx.deposit(paymentKey);
    note({ op: 'deposit', result: describe(a) }, a);
    if (isOk(a)) h.deposited = true;
    else if (!isTransient(a)) return;
  }
  if (!h.deposited) return;
  ctx.stats.deposits++;
  // The order page polls while it awaits the deposit.
  for (let polls = 0; polls < 8 && h.lastTold === 'AWAITING_DEPOSIT'; polls++) {
    await sleep(1_000);
    const a = await call(`${ctx.baseUrl}/api/orders/${h.orderId}`);
    note({ op: 'order-page', result: describe(a), told: isOk(a) ? a.body.status : undefined }, a);
    if (isOk(a) && a.body.status === 'PAID' && a.body.payment?.id) {
      h.paymentId = a.body.payment.id;
      h.amount = a.body.amount;
    }
  }
}
