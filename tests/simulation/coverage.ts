/**
 * What the seeds' traces show actually happened to virtual accounts (outcomes, not plans: a
 * planned deposit finds no account if the window never opened). `npm run simulate -- --coverage`
 * prints the share of seeds in which each happened at least once.
 */
export const VIRTUAL_ACCOUNT_EVENTS = [
  'order by virtual account',
  'account issued',
  'deposit',
  'duplicate callback',
  'forged callback refused',
  'expiry',
  'deposit after the due date',
  'late deposit (after our expiry)',
  'cancel before deposit',
  'refund of a deposit',
] as const;

/** The facts of run-seed.ts's final "== virtual accounts:" line (both sides' records after quiescence). */
const SUMMARY_FACTS: Partial<Record<string, VirtualAccountEvent>> = {
  issued: 'account issued', deposited: 'deposit', expired: 'expiry', late: 'late deposit (after our expiry)', cancelled: 'cancel before deposit', refunded: 'refund of a deposit',
};
export type VirtualAccountEvent = (typeof VIRTUAL_ACCOUNT_EVENTS)[number];

/** One step's plan and outcome pairs (a burst gives one per concurrent step). */
function steps(line: string): { plan: string; outcome: string }[] {
  const text = line.replace(/^#\d+ \S+ /, '').split('   [')[0]!;
  const burst = /^concurrently \{ (.*) \} → (.*)$/.exec(text);
  if (burst) {
    const plans = burst[1]!.split(' ‖ ');
    const outcomes = burst[2]!.split(' ‖ ');
    return plans.map((plan, i) => ({ plan, outcome: outcomes[i] ?? '' }));
  }
  const cut = text.lastIndexOf(' → ');
  return [{ plan: text.slice(0, cut), outcome: text.slice(cut + 3) }];
}

export function virtualAccountEvents(trace: string[]): Set<VirtualAccountEvent> {
  const seen = new Set<VirtualAccountEvent>();
  for (const line of trace) {
    if (/\(deposit-callback\): (arrived twice|stored, then 500)/.test(line)) seen.add('duplicate callback');
    const summary = /^== virtual accounts: (.*)$/.exec(line);
    if (summary) {
      for (const [fact, n] of summary[1]!.split(', ').map((f) => f.split(' '))) if (Number(n) > 0 && SUMMARY_FACTS[fact!]) seen.add(SUMMARY_FACTS[fact!]!);
    }
    if (!line.startsWith('#')) continue;
    for (const { plan, outcome } of steps(line)) {
      const order = /^create-order (o\d+) .* by virtual account/.exec(plan);
      if (order) seen.add('order by virtual account');
      if (/^deposited .*after the due date/.test(outcome)) seen.add('deposit after the due date');
      if (/callback queued again/.test(outcome)) seen.add('duplicate callback');
      if (/^forged-callback .*(wrong-secret|unknown-order)/.test(plan) && /^HTTP 40[14]$/.test(outcome)) seen.add('forged callback refused');
    }
  }
  return seen;
}

/** "deposit 61 %, expiry 20 %, …" over the given traces. */
export function formatCoverage(traces: string[][]): string {
  const counts = new Map<VirtualAccountEvent, number>();
  for (const t of traces) for (const e of virtualAccountEvents(t)) counts.set(e, (counts.get(e) ?? 0) + 1);
  const pct = (n: number) => `${Math.round((100 * n) / Math.max(1, traces.length))} %`;
  return VIRTUAL_ACCOUNT_EVENTS.map((e) => `${e} ${pct(counts.get(e) ?? 0)}`).join(', ');
}
