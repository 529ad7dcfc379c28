import type { WindowAction } from '@/sandbox/lib/authorize-window';
import type { Prng } from '@/lib/prng';
import type { PspFault } from './psp-network';
import type { OrderModel, World } from './world';

/** Cancel faults a refund is planned with: the answer lost after the PSP cancelled, a 500 before, a timeout, a request arriving late. */
export type CancelFault = Extract<PspFault, 'lost-after' | 'error-before' | 'timeout-before' | 'late'>;
const CANCEL_FAULTS: Record<CancelFault, number> = { 'lost-after': 3, 'error-before': 2, 'timeout-before': 1, late: 2 };

/**
 * What one step does, decided from the seed alone before it runs (entities are named by their
 * index in the world's model, never by database ids), so a seed always replays the same steps.
 */
export type Plan =
  | { kind: 'create-order'; order: number; copies: number }
  | { kind: 'resubmit-checkout'; order: number; changed: boolean }
  | { kind: 'request-payment'; order: number }
  | { kind: 'open-window'; order: number; action: WindowAction; redirect: number }
  | { kind: 'follow-redirect'; redirect: number; tamper: 'none' | 'amount' | 'key'; other: number; copies: number }
  | { kind: 'psp-webhooks' }
  | { kind: 'recovery-tick' }
  /**
   * `otherAmount`: the key reused for a different amount (the merchant's bug, to be refused).
   * `cancelFault`: what the network does to the first copy's first cancel call, whatever the
   * seed's fault rate (refund faults must strike in every seed that refunds).
   */
  | { kind: 'refund'; key: number; copies: number; otherAmount?: number; cancelFault?: CancelFault; withoutAccount?: boolean }
  /** The shopper pays into the order's virtual account (the bank's side, at the PSP): DEPOSIT_CALLBACK follows. */
  | { kind: 'deposit'; order: number }
  /** A DEPOSIT_CALLBACK not from the PSP, or not true: a wrong secret, an order we do not have, or the real secret claiming DONE. */
  | { kind: 'forged-callback'; order: number; forgery: Forgery; id: number }
  /**
   * The PSP sends one of the order's DEPOSIT_CALLBACKs again (it did not see our 200 in time):
   * the first (the issue callback, now older than the deposit's: reordered) or the latest; under
   * the same transmission id or a new one.
   */
  | { kind: 'callback-again'; order: number; which: 'first' | 'latest'; newId?: number }
  /** Simulated time moves past the due date of the order's virtual account (plus `extraMs`); Toss sends nothing. */
  | { kind: 'due-date-passes'; order: number; extraMs: number }
  /** The merchant calls off a virtual account before its deposit (a whole cancel). */
  | { kind: 'cancel-virtual-account'; order: number }
  | { kind: 'relay' }
  | { kind: 'consume' }
  | { kind: 'late-requests' }
  | { kind: 'advance'; ms: number }
  | { kind: 'reconcile' }
  | { kind: 'concurrently'; steps: Planned[] };

export type Forgery = 'wrong-secret' | 'unknown-order' | 'stale-claim';

/** A plan and the generator of its faults (forked from the seed, so faults replay too). */
export interface Planned {
  plan: Plan;
  faults: Prng;
}

const MAX_ORDERS = 6;
const PRICES = [15_000n, 4_200n, 99_900n]; // tests/helpers/fixtures.ts createShop

const WEIGHTS = {
  'create-order': 4,
  'resubmit-checkout': 1,
  'request-payment': 1.5,
  'open-window': 7,
  'follow-redirect': 8,
  'psp-webhooks': 3,
  'recovery-tick': 3,
  refund: 4,
  relay: 3,
  consume: 3,
  'late-requests': 1,
  advance: 4,
  reconcile: 0.5,
  concurrently: 4,
  'refund-race': 3.5,
  // Virtual accounts (only once an order pays by one).
  deposit: 3,
  'forged-callback': 0.8,
  'due-date-passes': 2.5,
  'cancel-virtual-account': 1.5,
  'callback-again': 1.5,
} as const;
type Kind = keyof typeof WEIGHTS;

type Single = Exclude<Kind, 'concurrently' | 'refund-race'>;
const VIRTUAL_ACCOUNT_KINDS: Single[] = ['deposit', 'forged-callback', 'due-date-passes', 'cancel-virtual-account', 'callback-again'];

/** Share of orders the shopper pays by virtual account. */
const VIRTUAL_ACCOUNT_SHARE = 0.4;
/** `validHours` of an issued account: mostly short, so due dates pass within a seed. */
const VALID_HOURS = [1, 1, 2, 24, 72];

/** Kinds that may run at the same time as others (the races of the pay flow). */
const RACERS: Single[] = ['follow-redirect', 'follow-redirect', 'psp-webhooks', 'recovery-tick', 'refund', 'relay', 'consume', 'request-payment', 'open-window', 'deposit', 'cancel-virtual-account'];

export function planStep(w: World, rng: Prng): Planned {
  const weights: Record<Kind, number> = { ...WEIGHTS };
  if (w.orders.length >= MAX_ORDERS) weights['create-order'] = 0;
  if (w.orders.length === 0) return { plan: planKind(w, rng, 'create-order'), faults: rng.fork() };
  if (w.redirects.length === 0) weights['follow-redirect'] = 0;
  // A race needs a payment to refund: an order the shopper came back from the window for.
  if (paidLikely(w).length === 0) weights['refund-race'] = 0;
  const hasVirtualAccounts = vaOrders(w).length > 0;
  if (!hasVirtualAccounts) for (const k of VIRTUAL_ACCOUNT_KINDS) weights[k] = 0;
  // The bank, the due date and the merchant's cancel need an issued account: one the shopper came back from the window for.
  if (issuedLikely(w).length === 0) for (const k of ['deposit', 'due-date-passes', 'cancel-virtual-account', 'callback-again'] as const) weights[k] = 0;
  const racers = w.relaySetup.pace === 'seldom' ? RACERS.filter((k) => k !== 'relay') : RACERS;
  if (w.relaySetup.pace === 'seldom') weights.relay = 0.5;
  const kind = rng.weighted(weights);
  if (kind === 'concurrently') {
    const n = rng.int(2, 3);
    // Only redirects that exist before the burst: one opened inside it may not be there yet.
    const redirects = w.redirects.length;
    const steps = Array.from({ length: n }, () => {
      let k = rng.pick(racers);
      if (k === 'follow-redirect' && redirects === 0) k = 'open-window';
      if (VIRTUAL_ACCOUNT_KINDS.includes(k) && weights[k] === 0) k = 'psp-webhooks';
      return { plan: planKind(w, rng, k, redirects), faults: rng.fork() };
    });
    return { plan: { kind: 'concurrently', steps }, faults: rng.fork() };
  }
  if (kind === 'refund-race') return { plan: planRefundRace(w, rng), faults: rng.fork() };
  return { plan: planKind(w, rng, kind), faults: rng.fork() };
}

/**
 * A refund racing what else touches its payment: the PSP's webhooks being delivered (an
 * approval's or an earlier cancel's, re-fetched and compared with our books) and a recovery
 * tick (which retries refunds in flight with the same key). Sometimes two refunds of the order
 * at once (another key, or the same key twice), often with a fault on the cancel call.
 */
function planRefundRace(w: World, rng: Prng): Plan {
  const first = planRefund(w, rng, 0.5, rng.pick(paidLikely(w)).index);
  const steps: Plan[] = [first, { kind: 'psp-webhooks' }, { kind: 'recovery-tick' }];
  if (rng.chance(0.35)) steps.push(planRefund(w, rng, 0.3, w.refundKeys[first.key]!.order));
  return { kind: 'concurrently', steps: rng.shuffle(steps).map((plan) => ({ plan, faults: rng.fork() })) };
}

function planKind(w: World, rng: Prng, kind: Single, redirects = w.redirects.length): Plan {
  switch (kind) {
    case 'create-order': {
      const products = rng.shuffle([0, 1, 2] as const).slice(0, rng.int(1, 2));
      const items = products.map((product) => ({ product, quantity: rng.int(1, 3) }));
      const index = w.orders.length;
      const payWith = rng.chance(VIRTUAL_ACCOUNT_SHARE) ? 'VIRTUAL_ACCOUNT' as const : 'CARD' as const;
      const validHours = payWith === 'VIRTUAL_ACCOUNT' ? rng.pick(VALID_HOURS) : undefined;
      w.orders.push({ index, checkoutKey: `sim-checkout-${w.seed}-${index}`, items, amount: items.reduce((s, i) => s + PRICES[i.product]! * BigInt(i.quantity), 0n), payWith, validHours });
      return { kind, order: index, copies: rng.chance(0.2) ? 2 : 1 };
    }
    case 'resubmit-checkout':
      return { kind, order: rng.int(0, w.orders.length - 1), changed: rng.chance(0.25) };
    case 'request-payment':
      return { kind, order: rng.int(0, w.orders.length - 1) };
    case 'open-window': {
      // Mostly a shopper who has not been to the window yet; sometimes one trying again.
      const fresh = w.orders.filter((o) => !w.redirects.some((r) => r.order === o.index));
      const order = fresh.length && rng.chance(0.7) ? rng.pick(fresh).index : rng.int(0, w.orders.length - 1);
      const action = rng.weighted({ approve: 7, decline: 1.5, cancel: 1.5 });
      const redirect = w.redirects.length;
      w.redirects.push({ index: redirect, order, action, followed: 0 });
      return { kind, order, action, redirect };
    }
    case 'follow-redirect': {
      // Mostly a browser coming back from the window; sometimes an old redirect (back button, a reload).
      const n = redirects;
      const waiting = w.redirects.slice(0, n).filter((r) => r.followed === 0);
      const redirect = waiting.length && rng.chance(0.75) ? rng.pick(waiting).index : rng.int(0, n - 1);
      w.redirects[redirect]!.followed++;
      const tamper = rng.weighted({ none: 17, amount: 2, key: 1 });
      return { kind, redirect, tamper, other: rng.int(0, n - 1), copies: rng.chance(0.2) ? rng.int(2, 3) : 1 };
    }
    case 'refund':
      return planRefund(w, rng, 0.1);
    case 'deposit':
      return { kind, order: pickVaOrder(w, rng) };
    case 'forged-callback':
      return { kind, order: pickVaOrder(w, rng), forgery: rng.weighted({ 'wrong-secret': 2, 'unknown-order': 1, 'stale-claim': 2 }), id: w.callbackIds++ };
    case 'callback-again':
      return { kind, order: pickVaOrder(w, rng), which: rng.chance(0.5) ? 'first' : 'latest', newId: rng.chance(0.4) ? w.callbackIds++ : undefined };
    case 'due-date-passes':
      return { kind, order: pickVaOrder(w, rng), extraMs: rng.int(1, 30) * 60_000 };
    case 'cancel-virtual-account':
      return { kind, order: pickVaOrder(w, rng) };
    case 'advance': {
      const scale = rng.weighted({ seconds: 3, minutes: 4, tenMinutes: 2, hours: 1, days: 0.5 });
      const ms = scale === 'seconds' ? rng.int(1, 59) * 1_000
        : scale === 'minutes' ? rng.int(1, 9) * 60_000
          : scale === 'tenMinutes' ? rng.int(10, 59) * 60_000
            : scale === 'hours' ? rng.int(1, 23) * 3_600_000
              : rng.int(1, 3) * 86_400_000;
      return { kind, ms };
    }
    default:
      return { kind };
  }
}

function vaOrders(w: World): OrderModel[] {
  return w.orders.filter((o) => o.payWith === 'VIRTUAL_ACCOUNT');
}

function issuedLikely(w: World): OrderModel[] {
  return paidLikely(w).filter((o) => o.payWith === 'VIRTUAL_ACCOUNT');
}

/** A virtual-account order; mostly one whose shopper came back from the window (its account likely issued). */
function pickVaOrder(w: World, rng: Prng): number {
  const issued = issuedLikely(w);
  return (issued.length && rng.chance(0.9) ? rng.pick(issued) : rng.pick(vaOrders(w))).index;
}

/** Orders whose shopper came back from an approving window: likely paid. */
function paidLikely(w: World): OrderModel[] {
  return w.orders.filter((o) => w.redirects.some((r) => r.order === o.index && r.action === 'approve' && r.followed > 0));
}

/** A refund (a new key, or a key used before), of `order` if given; a cancel fault with probability `faultChance`. */
function planRefund(w: World, rng: Prng, faultChance: number, order?: number): Extract<Plan, { kind: 'refund' }> {
  const cancelFault = rng.chance(faultChance) ? rng.weighted(CANCEL_FAULTS) : undefined;
  const keysOfOrder = w.refundKeys.filter((k) => order === undefined || k.order === order);
  const reuse = keysOfOrder.length > 0 && rng.chance(0.25);
  const amountChoice = rng.weighted({ rest: 3, half: 2, small: 3, odd: 1 });
  const copies = rng.chance(0.15) ? 2 : 1;
  // A virtual account's refund needs the shopper's bank account; a merchant sometimes forgets it.
  const withoutAccount = rng.chance(0.1) || undefined;
  if (reuse) {
    const k = rng.pick(keysOfOrder);
    return { kind: 'refund', key: k.index, copies, otherAmount: rng.chance(0.3) ? 500 : undefined, cancelFault, withoutAccount: withoutAccount && w.orders[k.order]!.payWith === 'VIRTUAL_ACCOUNT' ? true : undefined };
  }
  // Mostly an order the shopper has come back from the window for: likely paid.
  const likely = paidLikely(w);
  const target = order !== undefined ? w.orders[order]! : likely.length && rng.chance(0.8) ? rng.pick(likely) : w.orders[rng.int(0, w.orders.length - 1)]!;
  const amount = amountChoice === 'rest' ? undefined : amountChoice === 'half' ? Number(target.amount / 2n) : amountChoice === 'small' ? 1_000 : Number(target.amount) - 1;
  const key = w.refundKeys.length;
  w.refundKeys.push({ index: key, order: target.index, key: `sim-refund-${w.seed}-${key}`, amount: amount && amount > 0 ? amount : undefined });
  return { kind: 'refund', key, copies, cancelFault, withoutAccount: withoutAccount && target.payWith === 'VIRTUAL_ACCOUNT' ? true : undefined };
}

/** A plan as the trace shows it. */
export function describePlan(w: World, plan: Plan): string {
  switch (plan.kind) {
    case 'create-order': {
      const o = w.orders[plan.order]!;
      return `create-order o${plan.order} [${o.items.map((i) => `p${i.product}×${i.quantity}`).join(' ')}] ${o.amount}${o.payWith === 'VIRTUAL_ACCOUNT' ? ` by virtual account (${o.validHours} h)` : ''}${plan.copies > 1 ? ' (double submit)' : ''}`;
    }
    case 'resubmit-checkout':
      return `resubmit-checkout o${plan.order}${plan.changed ? ' with other items' : ''}`;
    case 'request-payment':
      return `request-payment o${plan.order}`;
    case 'open-window':
      return `open-window o${plan.order} ${plan.action} → r${plan.redirect}`;
    case 'follow-redirect':
      return `follow-redirect r${plan.redirect}${plan.tamper === 'amount' ? ' tampered amount' : plan.tamper === 'key' ? ` with r${plan.other}'s paymentKey` : ''}${plan.copies > 1 ? ` ×${plan.copies} at once` : ''}`;
    case 'refund': {
      const k = w.refundKeys[plan.key]!;
      return `refund o${k.order} ${plan.otherAmount ?? k.amount ?? 'rest'} key k${plan.key}${plan.copies > 1 ? ' ×2 at once' : ''}${plan.cancelFault ? ` (cancel: ${plan.cancelFault})` : ''}${plan.withoutAccount ? ' without a refund account' : ''}`;
    }
    case 'deposit':
      return `deposit o${plan.order}`;
    case 'forged-callback':
      return `forged-callback o${plan.order} ${plan.forgery}`;
    case 'due-date-passes':
      return `due-date-passes o${plan.order} (+${formatMs(plan.extraMs)})`;
    case 'cancel-virtual-account':
      return `cancel-virtual-account o${plan.order}`;
    case 'callback-again':
      return `callback-again o${plan.order} ${plan.which}${plan.newId !== undefined ? ' with a new transmission id' : ''}`;
    case 'advance':
      return `advance ${formatMs(plan.ms)}`;
    case 'concurrently':
      return `concurrently { ${plan.steps.map((s) => describePlan(w, s.plan)).join(' ‖ ')} }`;
    default:
      return plan.kind;
  }
}

function formatMs(ms: number): string {
  if (ms >= 86_400_000) return `${+(ms / 86_400_000).toFixed(1)}d`;
  if (ms >= 3_600_000) return `${+(ms / 3_600_000).toFixed(1)}h`;
  if (ms >= 60_000) return `${+(ms / 60_000).toFixed(1)}min`;
  return `${ms / 1000}s`;
}
