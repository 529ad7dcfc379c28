/**
 * npm run chaos [-- --duration 60 --concurrency 12 --seed N --build]
 *
 * A load run with faults injected on purpose, then recovery and reconciliation, then the
 * invariant checker. The whole system runs as real processes (scripts/lib/stack.ts): an
 * embedded PostgreSQL, a local Apache Kafka (one KRaft node), `next start` on the production build
 * (the shop), the PSP sandbox server (its own process, with its webhook sender), and the relay,
 * consumers and recovery workers.
 *
 *   1. load    N shoppers buy over HTTP (double clicks, duplicate and concurrent confirms, late
 *              reloads, declines, retries after errors), keeping a history of what they were told;
 *   2. faults  on a plan drawn from the seed: SIGKILL of the relay, the consumers, the recovery
 *              worker and the web server (with a shopper's confirm in flight), restarted after a
 *              pause; the broker frozen (SIGSTOP/SIGCONT) and SIGKILLed; PostgreSQL restarted
 *              once; latency, connection resets and a black hole on the app's network paths to
 *              the PSP and to PostgreSQL (fault proxies); PSP confirms and refunds losing their
 *              answer or failing with 500, for payments the seed picks; the merchant refunding
 *              (partial, full, repeated, concurrent); its webhook endpoint answering 500 now and then;
 *   3. recover faults stop, every process is up: wait (with a deadline) for the clean state;
 *   4. check   reconciliation against the PSP, the invariants over the whole platform,
 *              the PSP's books against ours, and the shoppers' histories against the database.
 *
 * Prints a table of faults and of invariants with their violations; exits 0 only when every
 * violation count is 0 and the clean state was reached (1 otherwise, 2 for bad options).
 */
import { chmodSync, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { connect } from '@/db/client';
import { merchants } from '@/db/schema';
import { checkInvariants, type InvariantResult } from '@/lib/invariants/check-invariants';
import { kstDateOf } from '@/lib/kst';
import { pspClientFromEnv } from '@/lib/psp/env-client';
import { runReconciliation } from '@/lib/reconciliation/run-reconciliation';
import { Prng } from '@/lib/prng';
import { DEMO_MERCHANT_ID } from '@/lib/store/store-merchant';
import { backlog, historyChecks, isClean, platformChecks, type Backlog } from './lib/chaos/checks';
import { planFaults, pspFaultArmer, startFaults, type InjectedFault, type ProcessFaultKind } from './lib/chaos/faults';
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from './lib/chaos/http';
import { emptyStats, runShopper, type OrderHistory } from './lib/chaos/shopper';
import { emptyRefundStats, refundChecks, runRefunder, type RefundRequest } from './lib/chaos/refunds';
import { createApiKey } from '@/lib/auth/api-keys';
import { ensureProductionBuild, startStack, type Stack } from './lib/stack';

const HELP = `Usage: npm run chaos -- [options]

Load + faults + recovery + reconciliation + invariant check, on the whole system run as real
processes (embedded PostgreSQL, Apache Kafka, next start, the PSP sandbox server, workers).

Options:
  --duration SECONDS       how long the load and the faults run (default 60; 10–1800)
  --concurrency N          concurrent shoppers (default 12; 1–200)
  --seed N                 seed of every random choice (default: random; printed, so a run can be repeated)
  --psp-fault-rate R       share of confirms whose PSP call loses its answer or fails with 500 (default 0.1; 0–1)
  --clean-timeout SECONDS  the bound on the time to the clean state after the faults stop (default 60);
                           exceeding it fails the run (docs/RELIABILITY.md says what bounds it)
  --build                  run \`next build\` first even if a production build exists
  --keep                   keep the run directory (PostgreSQL data) even when the run passes
  --help                   this text

The processes' output goes to <run dir>/chaos.log (its path is printed). Exit 0: clean state
reached and 0 violations; 1: violations or no clean state; 2: bad options or the run broke.`;

const optionsSchema = z.object({
  duration: z.coerce.number({ error: '--duration must be a number of seconds' }).int('--duration must be whole seconds').min(10, '--duration must be at least 10').max(1_800, '--duration must be at most 1800'),
  concurrency: z.coerce.number({ error: '--concurrency must be a number' }).int('--concurrency must be a whole number').min(1, '--concurrency must be at least 1').max(200, '--concurrency must be at most 200'),
  seed: z.coerce.number({ error: '--seed must be a number' }).int('--seed must be a whole number').min(0, '--seed must be ≥ 0').max(0xffffffff, '--seed must fit in 32 bits'),
  pspFaultRate: z.coerce.number({ error: '--psp-fault-rate must be a number' }).min(0, '--psp-fault-rate must be between 0 and 1').max(1, '--psp-fault-rate must be between 0 and 1'),
  cleanTimeout: z.coerce.number({ error: '--clean-timeout must be a number of seconds' }).int('--clean-timeout must be whole seconds').min(5, '--clean-timeout must be at least 5').max(3_600, '--clean-timeout must be at most 3600'),
  build: z.boolean(),
  keep: z.boolean(),
});
type Options = z.infer<typeof optionsSchema>;

function parseOptions(): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        duration: { type: 'string', default: '60' },
        concurrency: { type: 'string', default: '12' },
        seed: { type: 'string' },
        'psp-fault-rate': { type: 'string', default: '0.1' },
        'clean-timeout': { type: 'string', default: '60' },
        build: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const parsed = optionsSchema.safeParse({
    duration: values.duration, concurrency: values.concurrency, seed: values.seed ?? Math.floor(Math.random() * 0x100000000),
    pspFaultRate: values['psp-fault-rate'], cleanTimeout: values['clean-timeout'], build: values.build, keep: values.keep,
  });
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => i.message).join('\n')}\n\nRun with --help for the options.`);
    process.exit(2);
  }
  return parsed.data;
}

const say = (line: string) => console.log(`[chaos] ${line}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const FAULT_LABELS: Record<ProcessFaultKind, string> = {
  'kill-relay': 'SIGKILL outbox relay (restarted after 0.3–3 s)',
  'kill-consumers': 'SIGKILL consumers (restarted after 0.3–3 s)',
  'kill-recovery': 'SIGKILL recovery worker (restarted after 0.3–2 s)',
  'kill-web': 'SIGKILL web server mid-confirm (restarted after 0.3–1.5 s)',
  'pause-broker': 'Kafka broker frozen (SIGSTOP 2–5 s, SIGCONT)',
  'kill-broker': 'Kafka broker SIGKILLed (restarted after 1–4 s)',
  'restart-postgres': 'PostgreSQL restarted (fast shutdown + start)',
  'psp-latency': 'app→PSP latency +100–600 ms each way (3–8 s)',
  'psp-reset': 'app→PSP connections reset (all or every other)',
  'psp-blackhole': 'app→PSP black hole (2–6 s)',
  'pg-latency': 'app→PostgreSQL latency +20–200 ms each way (3–8 s)',
  'pg-reset': 'app→PostgreSQL connections reset (all or every other)',
  'pg-blackhole': 'app→PostgreSQL black hole (2–5 s)',
};

/**
 * The chaos run's timings, chosen so that the time to the clean state has a known bound (see
 * docs/RELIABILITY.md): every lease and backoff that a fault can leave running is a few seconds.
 */
const BOUNDED_TIMINGS = {
  // Recovery: first look 2 s after a payment's or refund's last change, retries 0.5, 1, 2, 4, 4… s apart.
  RECOVERY_INTERVAL_MS: '500',
  RECOVERY_GRACE_MS: '2000',
  RECOVERY_BASE_DELAY_MS: '500',
  RECOVERY_MAX_DELAY_MS: '4000',
  // The sandbox: a request cut off mid-way (its process or database gone) frees its Idempotency-Key
  // claim after 5 s, and a webhook round cut off frees its deliveries after 12 s.
  SANDBOX_ABANDONED_CLAIM_MS: '5000',
  PSP_SANDBOX_WEBHOOK_LEASE_MS: '12000',
  // Toss's webhook retry schedule (1, 4, 16, 64, 256, 1024, 4096 min) × 0.0001: 6 ms, 24 ms,
  // 0.1, 0.4, 1.5, 6.1 and 24.6 s; a delivery that failed through a fault is retried (or given
  // up, after the 7th retry) at most 24.6 s later.
  PSP_SANDBOX_WEBHOOK_TIME_SCALE: '0.0001',
} as const;

async function main(): Promise<number> {
  const opts = parseOptions();
  const rng = new Prng(opts.seed);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'won-chaos-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
  const logPath = path.join(dir, 'chaos.log');
  const logFile = createWriteStream(logPath, { flags: 'a' });
  const logLine = (who: string, line: string) => logFile.write(`${new Date().toISOString()} ${who.padEnd(12)} ${line}\n`);
  const note = (line: string) => {
    say(line);
    logLine('chaos', line);
  };

  note(`seed ${opts.seed} · ${opts.duration} s of load · ${opts.concurrency} shoppers · PSP fault rate ${opts.pspFaultRate} · clean-state bound ${opts.cleanTimeout} s`);
  note(`run directory ${dir}; processes' output: ${logPath}`);
  ensureProductionBuild(note, opts.build);

  let stack: Stack | undefined;
  let shuttingDown = false;
  let faultStop: (() => Promise<void>) | undefined;
  const unexpectedExits: { process: string; code: number | null; signal: string | null; atMs: number }[] = [];
  let startedAt = Date.now();

  const cleanup = async () => {
    shuttingDown = true;
    await faultStop?.().catch(() => {});
    for (const node of stack?.kafka?.nodes ?? []) {
      try {
        node.resume();
      } catch {
        // already gone
      }
    }
    await stack?.stop().catch((err) => note(`stopping the stack: ${(err as Error).message}`));
  };
  process.once('SIGINT', () => {
    note('interrupted: stopping everything');
    void cleanup().finally(() => process.exit(130));
  });

  // The merchant's webhook endpoint: records what it received, answers 500 now and then so the
  // notifier's retry topics are part of the run.
  // Streams are forked in a fixed order (this endpoint, the fault plan, shoppers by index), so a
  // seed gives each part the same choices whatever the others drew.
  const endpointRng = rng.fork();
  const received = new Map<string, number>();
  let endpointFailures = 0;
  const endpoint = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (endpointRng.chance(0.05)) {
        endpointFailures++;
        return void res.writeHead(500).end();
      }
      const id = String(req.headers['won-event-id'] ?? '');
      received.set(id, (received.get(id) ?? 0) + 1);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  const endpointUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}/webhooks/won`;

  try {
    stack = await startStack({
      dir,
      kafka: true,
      faultProxies: true,
      workers: ['relay', 'consumers', 'recovery'],
      env: {
        LOG_LEVEL: 'info',
        // Recovery and redelivery timings scaled down so a run finishes in minutes; the logic is the production one.
        ...BOUNDED_TIMINGS,
        RECOVERY_DAILY_RECONCILIATION: '0',
        RELAY_IDLE_POLL_MS: '200',
        PSP_SANDBOX_WEBHOOK_INTERVAL_MS: '300',
        WEBHOOK_RETRY_DELAYS_MS: '200,1000,3000',
        WEBHOOK_TIMEOUT_MS: '3000',
        TOSS_TIMEOUT_MS: '10000',
        // A JoinGroup sent just before a broker freeze is answered only after it; bound the stall.
        KAFKA_REBALANCE_TIMEOUT_MS: '15000',
      },
      onLine: logLine,
      onUnexpectedExit: (name, code, signal) => {
        if (shuttingDown) return;
        unexpectedExits.push({ process: name, code, signal, atMs: Date.now() - startedAt });
        note(`${name} exited on its own (code ${code}, signal ${signal}); restarting it as a supervisor would`);
        const p = name === 'web' ? stack?.web : name === 'sandbox' ? stack?.sandbox : stack?.workers.get(name as never);
        setTimeout(() => void p?.start().catch((err) => note(`could not restart ${name}: ${(err as Error).message}`)), 1_000);
      },
      say: note,
    });
    const apiKeys: Record<string, string> = {};
    {
      const setup = connect(stack.databaseUrl, { max: 1, appName: 'chaos-setup' });
      await setup.db.update(merchants).set({ webhookUrl: endpointUrl, webhookSecret: 'chaos-webhook-secret' }).where(eq(merchants.id, DEMO_MERCHANT_ID));
      // The merchants' back offices refund through the merchant API with keys of their own.
      for (const m of ['mer_demo', 'mer_demo_tea']) apiKeys[m] = (await createApiKey(setup.db, m, 'chaos refunds', 'chaos')).key;
      await setup.close();
    }

    // 1 + 2: load and faults.
    const plan = planFaults(rng.fork(), opts.duration * 1000);
    note(`fault plan: ${plan.map((f) => `${f.kind}@${(f.atMs / 1000).toFixed(1)}s`).join(', ')}`);
    const armer = pspFaultArmer(stack.sandboxUrl, stack.sandboxOperatorToken, stack.pspSecretKey, opts.pspFaultRate);
    const stats = emptyStats();
    const histories: OrderHistory[] = [];
    const firstKstDate = kstDateOf(new Date());
    startedAt = Date.now();
    const loadEnds = startedAt + opts.duration * 1000;
    const faults = startFaults(stack, plan, startedAt, { say: note, confirmsInFlight: () => stats.confirmsInFlight });
    faultStop = faults.stop;
    const shouldStop = () => Date.now() >= loadEnds;
    const sandboxUrl = stack.sandboxUrl;
    const bankAuth = { authorization: `Basic ${Buffer.from(`${stack.pspSecretKey}:`).toString('base64')}`, 'sandbox-operator-token': stack.sandboxOperatorToken };
    const ctx = {
      baseUrl: stack.baseUrl, seed: opts.seed, startedAt, stats, histories, shouldStop,
      beforeConfirm: (r: Prng, key: string | null) => armer.beforeCall(r, 'confirm', key),
      deposit: (key: string) => call(`${sandboxUrl}/v1/sandbox/payments/${encodeURIComponent(key)}/deposit`, { method: 'POST', headers: bankAuth }),
    };
    const shopperRngs = Array.from({ length: opts.concurrency }, () => rng.fork());
    const refunderRngs = [rng.fork(), rng.fork()];
    const shoppers = shopperRngs.map((r, i) => runShopper(ctx, i, r));
    const refundStats = emptyRefundStats();
    const refundRequests: RefundRequest[] = [];
    const refundCtx = {
      baseUrl: stack.baseUrl, seed: opts.seed, startedAt, apiKeys, histories, requests: refundRequests, stats: refundStats,
      beforeRefund: (r: Prng, key: string | null) => armer.beforeCall(r, 'cancel', key), shouldStop,
    };
    const refunders = refunderRngs.map((r, i) => runRefunder(refundCtx, i, r));
    const progress = setInterval(() => {
      const done = (k: ProcessFaultKind) => faults.injected.filter((f) => f.kind === k && f.endedMs !== undefined && !f.error).length;
      note(`${secs(Date.now() - startedAt)}/${opts.duration} s  orders ${stats.orders} (paid ${stats.paid}, failed ${stats.failed}, confirming ${stats.confirming}, gave up ${stats.abandoned})  ` +
        `confirm posts ${stats.confirmPosts}  5xx/no answer ${stats.transientErrors} | faults: relay ${done('kill-relay')}, consumers ${done('kill-consumers')}, recovery ${done('kill-recovery')}, ` +
        `web ${done('kill-web')}, broker ${done('pause-broker')}+${done('kill-broker')}, postgres ${done('restart-postgres')}, ` +
        `net ${(['psp-latency', 'psp-reset', 'psp-blackhole', 'pg-latency', 'pg-reset', 'pg-blackhole'] as const).map(done).join('/')}, ` +
        `PSP armed ${armer.armed['lose-response'] + armer.armed['server-error']}, refunds ${refundRequests.length}`);
    }, 5_000);
    await sleep(opts.duration * 1000);
    await faults.stop();
    // The clock of "time to clean state" starts here: no fault is in progress from now on.
    const faultsStoppedAt = Date.now();
    const lastFaultEndedAt = startedAt + Math.max(0, ...faults.injected.map((f) => f.endedMs ?? 0));
    note('load over: no new checkouts; faults stopped; waiting for shoppers to finish their current purchase');
    await Promise.race([Promise.all([...shoppers, ...refunders]), sleep(60_000)]);
    clearInterval(progress);
    faultStop = undefined;

    // 3: every process up, then wait for the clean state.
    for (const p of [stack.sandbox, stack.web, ...stack.workers.values()]) await p.start();
    const recoveryStarted = Date.now();
    const sinceFaults = () => Date.now() - faultsStoppedAt;
    const database = connect(stack.databaseUrl, { max: 4, appName: 'chaos-check' });
    const { db } = database;
    let last: Backlog | undefined;
    let cleanAfterMs: number | undefined;
    let lastPrint = 0;
    // The bound counts from the faults stopping, shoppers' last purchases included.
    while (sinceFaults() < opts.cleanTimeout * 1000) {
      try {
        last = await backlog(db);
      } catch (err) {
        note(`backlog query failed: ${(err as Error).message}`);
        await sleep(500);
        continue;
      }
      if (isClean(last)) {
        cleanAfterMs = sinceFaults();
        break;
      }
      if (Date.now() - lastPrint > 5_000) {
        lastPrint = Date.now();
        note(`recovering (${secs(sinceFaults())} after the faults stopped): ${describeBacklog(last)}`);
      }
      await sleep(250);
    }
    if (cleanAfterMs === undefined) note(`NO clean state within ${opts.cleanTimeout} s: ${last ? describeBacklog(last) : 'backlog unknown'}`);
    else note(`clean state reached ${secs(cleanAfterMs)} after the faults stopped`);

    // 4: reconciliation, invariants, PSP books, histories.
    const psp = pspClientFromEnv(stack.env);
    const run = await runReconciliation(db, psp, { fromDate: firstKstDate, toDate: kstDateOf(new Date()) }, 'chaos');
    const notMatched = (await db.execute(sql`select classification, order_id, detail from reconciliation_items where run_id = ${run.runId} and classification <> 'MATCHED' limit 5`)) as unknown as unknown[];
    const notMatchedCount = Object.entries(run.counts).filter(([k]) => k !== 'MATCHED').reduce((s, [, v]) => s + (v ?? 0), 0);
    note(`reconciliation ${run.runId}: ${run.items} payments compared, ${JSON.stringify(run.counts)}, ${run.settlementJournals} settlement journals posted`);

    const invariants = await checkInvariants(db, { outboxLagLimit: '0 seconds', unfinishedLimit: '0 seconds' });
    const platform = await platformChecks(db, 'wonplatform');
    const history = await historyChecks(db, histories);
    const refundResults = await refundChecks(db, refundRequests);
    const demoEvents = (await db.execute(sql`select distinct o.event_id, (d.id is not null) as dead from outbox o
      left join dead_letters d on d.event_id = o.event_id and d.consumer = 'webhook-notifier' where o.merchant_id = ${DEMO_MERCHANT_ID}`)) as unknown as { event_id: string; dead: boolean }[];
    const undelivered = demoEvents.filter((e) => !e.dead && !received.has(e.event_id));
    const deadLettered = demoEvents.filter((e) => e.dead).length;
    const duplicates = [...received.values()].filter((n) => n > 1).length;
    const extra: InvariantResult[] = [
      { name: 'reconciliation-matched', description: 'reconciliation against the PSP found every payment matched', violations: notMatchedCount, sample: notMatched },
      { name: 'merchant-webhooks-delivered', description: 'every event of the merchant reached its webhook endpoint at least once (or is a visible dead letter)', violations: undelivered.length, sample: undelivered.slice(0, 5) },
      { name: 'workers-survive', description: 'no process exited on its own (only the ones we killed)', violations: unexpectedExits.length, sample: unexpectedExits.slice(0, 5) },
      { name: 'clean-state-reached', description: `the clean state was reached within ${opts.cleanTimeout} s of the faults stopping`, violations: cleanAfterMs === undefined ? 1 : 0, sample: last ? [last] : [] },
    ];
    const taken = (await db.execute(sql`select operation::text, mode::text, coalesce(sum(count - remaining), 0)::int as taken, coalesce(sum(remaining), 0)::int as left
      from sandbox.faults group by operation, mode`)) as unknown as { operation: string; mode: string; taken: number; left: number }[];
    await armer.clear();
    const takenOf = (op: string, m: string) => taken.find((t) => t.operation === op && t.mode === m)?.taken ?? 0;
    const sumHit = (k: ProcessFaultKind) => faults.injected.filter((f) => f.kind === k).reduce((s, f) => s + (f.hit ?? 0), 0);
    const leftOver = taken.reduce((s, t) => s + t.left, 0);

    // The table.
    const ok = (fs: InjectedFault[]) => fs.filter((f) => !f.error).length;
    const byKind = (k: ProcessFaultKind) => faults.injected.filter((f) => f.kind === k);
    const pg = byKind('restart-postgres')[0];
    const pgWindow = pg ? errorWindow(stats.errorTimes, pg.startedMs, (pg.endedMs ?? pg.startedMs) + 15_000) : undefined;
    const faultRows: [string, string][] = [
      ...(Object.keys(FAULT_LABELS) as ProcessFaultKind[]).map((k): [string, string] => [FAULT_LABELS[k], String(ok(byKind(k)))]),
      ['confirms in flight when the web server was killed', String(byKind('kill-web').reduce((s, f) => s + (f.hit ?? 0), 0))],
      ['connections reset (app→PSP / app→PostgreSQL)', `${sumHit('psp-reset')} / ${sumHit('pg-reset')}`],
      ['connections through the fault proxies (app→PSP / app→PostgreSQL)', `${stack.proxies?.psp.stats.connections ?? 0} / ${stack.proxies?.postgres.stats.connections ?? 0}`],
      ['PSP confirm: approved, response lost (lose-response)', String(takenOf('confirm', 'lose-response'))],
      ['PSP confirm: 500, nothing done (server-error)', String(takenOf('confirm', 'server-error'))],
      ['PSP refund (cancel): done, response lost (lose-response)', String(takenOf('cancel', 'lose-response'))],
      ['PSP refund (cancel): 500, nothing done (server-error)', String(takenOf('cancel', 'server-error'))],
      ['refunds: partial / full (merchant API)', `${refundStats.byKind.partial} / ${refundStats.byKind.full}`],
      ['refunds: repeated with the same key after the answer', String(refundStats.byKind.repeated)],
      ['refunds: same key twice at once', String(refundStats.byKind['same-key-at-once'])],
      ['refunds: two partial refunds of one payment at once', String(refundStats.byKind['two-at-once'])],
      ['merchant webhook endpoint answered 500', String(endpointFailures)],
      ['double-clicked checkouts (same key posted twice at once)', String(stats.doubleClicks)],
      ['concurrent duplicate confirms (2–3 at once)', String(stats.concurrentConfirms)],
      ['late confirm re-posts (reload / back after the outcome)', String(stats.lateReposts)],
      ['virtual accounts issued / paid into by the shopper\'s bank', `${stats.virtualAccounts} / ${stats.deposits}`],
      ['refunds of virtual-account payments (to the shopper\'s bank account)', String(refundRequests.filter((r) => histories.find((h) => h.paymentId === r.paymentId)?.payWith === 'VIRTUAL_ACCOUNT').length)],
    ];
    const checks = [...invariants, ...platform, ...history, ...refundResults, ...extra];
    const total = checks.reduce((s, c) => s + c.violations, 0);

    console.log('');
    console.log(`Chaos run · seed ${opts.seed} · ${opts.duration} s · ${opts.concurrency} shoppers`);
    console.log('');
    printTable(['fault', 'injected'], faultRows);
    console.log('');
    printTable(['invariant', 'violations'], checks.map((c) => [c.name, String(c.violations)]));
    console.log('');
    console.log(`load: ${stats.orders} orders, ${stats.approvals} approved in the window, ${stats.confirmPosts} confirm posts; shoppers saw ${stats.paid} paid, ${stats.failed} failed, ${stats.confirming} still confirming when they left, ${stats.awaitingDeposit} awaiting their deposit, ${stats.abandoned} gave up; ${stats.virtualAccounts} virtual accounts issued, ${stats.deposits} paid into`);
    const confirmFaults = takenOf('confirm', 'lose-response') + takenOf('confirm', 'server-error');
    console.log(`refunds: ${refundRequests.length} requests, ${refundStats.posts} posts, ${refundStats.transientErrors} answered 5xx or not at all (retried with the same key)`);
    console.log(`PSP faults: ${confirmFaults} of ${stats.approvals} approvals (${pct(confirmFaults, stats.approvals)}); ` +
      `armed ${armer.armed['lose-response']} lose-response + ${armer.armed['server-error']} server-error, ${armer.armed.failedToArm} could not be armed, ${leftOver} armed but not used`);
    console.log(`client-visible errors (5xx or no answer): ${stats.transientErrors}${pgWindow !== undefined ? `; around the PostgreSQL restart (${secs((pg!.endedMs ?? 0) - pg!.startedMs)}) for ${secs(pgWindow)}` : ''}`);
    if (pg) {
      const before = medianLatency(stats.calls, pg.startedMs - 10_000, pg.startedMs);
      const after = medianLatency(stats.calls, pg.endedMs ?? pg.startedMs, (pg.endedMs ?? pg.startedMs) + 10_000);
      console.log(`median request latency 10 s before / 10 s after the PostgreSQL restart: ${before} ms / ${after} ms`);
    }
    console.log(`merchant webhooks: ${received.size} events received, ${duplicates} more than once (at-least-once; merchants dedupe by won-event-id), ${deadLettered} dead-lettered`);
    console.log(cleanAfterMs === undefined
      ? `clean state: NOT reached within ${opts.cleanTimeout} s`
      : `time to clean state: ${secs(cleanAfterMs)} after the load and the faults stopped, bound ${opts.cleanTimeout} s (${secs(cleanAfterMs + faultsStoppedAt - lastFaultEndedAt)} after the last fault ended; shoppers finishing their purchase took ${secs(recoveryStarted - faultsStoppedAt)})`);
    console.log(`total violations: ${total}`);
    for (const c of checks.filter((c) => c.violations > 0)) {
      console.log(`\n${c.name}: ${c.description}\n${JSON.stringify(c.sample, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}`);
    }
    const historyPath = path.join(dir, 'history.jsonl');
    writeFileSync(historyPath, histories.map((h) => JSON.stringify(h)).join('\n') + '\n');
    console.log(`\nlog: ${logPath}\nshoppers' history (what each was told, step by step): ${historyPath}`);
    await database.close();
    await cleanup();
    endpoint.close();
    const passed = total === 0;
    if (passed && !opts.keep) rmSync(path.join(dir, 'pg'), { recursive: true, force: true });
    else note(`PostgreSQL data kept in ${path.join(dir, 'pg')}`);
    return passed ? 0 : 1;
  } catch (err) {
    note(`the run broke: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    await cleanup();
    endpoint.close();
    return 2;
  } finally {
    await new Promise((r) => logFile.end(r));
  }
}

function describeBacklog(b: Backlog): string {
  return `unfinished payments ${b.unfinishedPayments}, unfinished refunds ${b.unfinishedRefunds}, unpublished outbox ${b.unpublishedOutbox}, projection behind ${b.projectionBehind}, ` +
    `notifier behind ${b.notifierBehind}, PSP webhooks pending ${b.pspWebhooksPending}, receipts unprocessed ${b.pspReceiptsUnprocessed}`;
}

/** From the first to the last client-visible error inside [from, to] (ms since the load started). */
function errorWindow(times: number[], from: number, to: number): number | undefined {
  const inside = times.filter((t) => t >= from - 1_000 && t <= to).sort((a, b) => a - b);
  return inside.length ? inside[inside.length - 1]! - inside[0]! : 0;
}

/** Median duration of the calls answered in [from, to) (ms since the load started). */
function medianLatency(calls: [number, number][], from: number, to: number): number | string {
  const xs = calls.filter(([at]) => at >= from && at < to).map(([, ms]) => ms).sort((a, b) => a - b);
  return xs.length ? xs[Math.floor(xs.length / 2)]! : '–';
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '–');

function printTable(head: [string, string], rows: [string, string][]): void {
  const w = Math.max(head[0].length, ...rows.map((r) => r[0].length));
  const v = Math.max(head[1].length, ...rows.map((r) => r[1].length));
  console.log(`| ${head[0].padEnd(w)} | ${head[1].padStart(v)} |`);
  console.log(`| ${'-'.repeat(w)} | ${'-'.repeat(v - 1)}: |`);
  for (const [a, b] of rows) console.log(`| ${a.padEnd(w)} | ${b.padStart(v)} |`);
}

main().then((code) => process.exit(code), (err) => {
  console.error('[chaos] failed:', err);
  process.exit(2);
});
