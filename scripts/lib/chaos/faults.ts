/**
 * The faults of a chaos run. Process, infrastructure and network faults follow a plan drawn from
 * the seed before the load starts (what, when, for how long); PSP faults are drawn from the seed
 * per confirm and per refund and armed for that payment through the sandbox's fault-injection API
 * (lose-response: the PSP does it and the answer is lost; server-error: a 500 and nothing done).
 * Every injection is counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack, StackProcess, WorkerName } from '../stack';
import { call } from './http';
import type { Prng } from '@/lib/prng';


export type ProcessFaultKind =
  | 'kill-relay' | 'kill-consumers' | 'kill-recovery' | 'kill-web'
  | 'pause-broker' | 'kill-broker' | 'restart-postgres'
  | 'psp-latency' | 'psp-reset' | 'psp-blackhole'
  | 'pg-latency' | 'pg-reset' | 'pg-blackhole';

export interface PlannedFault {
  kind: ProcessFaultKind;
  /** ms after the load started. */
  atMs: number;
  /** How long the process stays dead / the broker stays paused / the network fault lasts. */
  holdMs: number;
  /** Latency faults: ms added each way; reset faults: share of the open connections reset (0–1]. */
  level?: number;
}

export interface InjectedFault extends PlannedFault {
  startedMs: number;
  /** When the part was back (restarted, resumed, accepting connections, network healed). */
  endedMs?: number;
  /** What the fault met: connections reset, confirms in flight at a kill. */
  hit?: number;
  error?: string;
}

const KILL_TARGET: Record<'kill-relay' | 'kill-consumers' | 'kill-recovery', WorkerName> = {
  'kill-relay': 'relay', 'kill-consumers': 'consumers', 'kill-recovery': 'recovery',
};

/** Faults on one part run one after another (no kill during a kill); this names the part. */
function targetOf(kind: ProcessFaultKind): string {
  if (kind === 'pause-broker' || kind === 'kill-broker') return 'broker';
  if (kind === 'restart-postgres') return 'postgres';
  // Network faults on a path of their own (a reset queued behind the restart would find no connections).
  if (kind.startsWith('pg-')) return 'pg-net';
  if (kind.startsWith('psp-')) return 'psp-net';
  return kind;
}

/**
 * The plan for a load of `durationMs`: several SIGKILLs of the relay and of the consumers, a few
 * of the recovery worker and of the web server (each while a shopper's confirm is in flight),
 * broker pauses and a broker SIGKILL, one PostgreSQL restart in the middle third, and on each of
 * the app's two network paths (to the PSP, to PostgreSQL) a spell of latency, connection resets
 * and a black hole. Faults land between 5% and 85% of the load so the last of them is over
 * before the load ends.
 */
export function planFaults(rng: Prng, durationMs: number): PlannedFault[] {
  const at = (from: number, to: number) => Math.round(durationMs * (from + rng.float() * (to - from)));
  const plan: PlannedFault[] = [];
  const kills = Math.max(3, Math.round(durationMs / 15_000));
  const few = Math.max(2, Math.round(durationMs / 30_000));
  // A web restart costs seconds of `next start` (many on a busy machine): one per minute of load.
  const webKills = Math.max(1, Math.round(durationMs / 60_000));
  for (let i = 0; i < kills; i++) plan.push({ kind: 'kill-relay', atMs: at(0.05, 0.85), holdMs: rng.int(300, 3_000) });
  for (let i = 0; i < kills; i++) plan.push({ kind: 'kill-consumers', atMs: at(0.05, 0.85), holdMs: rng.int(300, 3_000) });
  for (let i = 0; i < few; i++) plan.push({ kind: 'kill-recovery', atMs: at(0.05, 0.85), holdMs: rng.int(300, 2_000) });
  for (let i = 0; i < webKills; i++) plan.push({ kind: 'kill-web', atMs: at(0.1, 0.8), holdMs: rng.int(300, 1_500) });
  // Broker faults in separate stretches so they never overlap; a few seconds of a frozen or dead
  // broker is the point, not outlasting every client's patience.
  plan.push({ kind: 'pause-broker', atMs: at(0.1, 0.3), holdMs: rng.int(2_000, 5_000) });
  plan.push({ kind: 'kill-broker', atMs: at(0.4, 0.55), holdMs: rng.int(1_000, 4_000) });
  plan.push({ kind: 'pause-broker', atMs: at(0.65, 0.8), holdMs: rng.int(2_000, 5_000) });
  plan.push({ kind: 'restart-postgres', atMs: at(0.35, 0.65), holdMs: 0 });
  for (const net of ['psp', 'pg'] as const) {
    plan.push({ kind: `${net}-latency`, atMs: at(0.05, 0.8), holdMs: rng.int(3_000, 8_000), level: net === 'psp' ? rng.int(100, 600) : rng.int(20, 200) });
    for (let i = 0; i < few; i++) plan.push({ kind: `${net}-reset`, atMs: at(0.05, 0.85), holdMs: 0, level: rng.chance(0.5) ? 1 : 0.5 });
    plan.push({ kind: `${net}-blackhole`, atMs: at(0.05, 0.8), holdMs: rng.int(2_000, net === 'psp' ? 6_000 : 5_000) });
  }
  return plan.sort((a, b) => a.atMs - b.atMs);
}

export interface FaultHooks {
  say(line: string): void;
  /** Shoppers' confirms sent and not answered yet: the web server is killed while one is. */
  confirmsInFlight(): number;
}

/** Carries out the plan against the stack; `stop()` waits for every fault in progress to end. */
export function startFaults(stack: Stack, plan: PlannedFault[], startedAt: number, hooks: FaultHooks) {
  const { say } = hooks;
  const injected: InjectedFault[] = [];
  // One queue per target, so two faults on one part never overlap (a kill during a kill).
  const queues = new Map<string, Promise<void>>();
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const now = () => Date.now() - startedAt;
  const broker = stack.kafka;

  function proxyOf(kind: ProcessFaultKind) {
    const proxy = kind.startsWith('psp-') ? stack.proxies?.psp : stack.proxies?.postgres;
    if (!proxy) throw new Error('the stack has no fault proxies');
    return proxy;
  }

  async function inject(f: PlannedFault): Promise<void> {
    if (stopped) return;
    const record: InjectedFault = { ...f, startedMs: now() };
    injected.push(record);
    try {
      switch (f.kind) {
        case 'pause-broker': {
          // One real broker JVM frozen: its sockets stay open and it answers nothing.
          const node = broker?.nodes[0];
          if (!node) throw new Error('no local Kafka to pause');
          node.pause();
          try {
            await sleep(f.holdMs);
          } finally {
            node.resume();
          }
          break;
        }
        case 'kill-broker': {
          const node = broker?.nodes[0];
          if (!node) throw new Error('no local Kafka to kill');
          say(`fault: SIGKILL of the Kafka broker for ${f.holdMs} ms`);
          await node.kill('SIGKILL');
          await sleep(f.holdMs);
          await node.start();
          await broker!.waitUntilReady(60_000);
          break;
        }
        case 'restart-postgres':
          say('fault: restarting PostgreSQL (fast shutdown, then start)');
          await stack.pg.restart();
          break;
        case 'kill-web': {
          // Wait for a shopper's confirm to be on its way, give it a moment to reach the server
          // and its PSP call, then kill the server under it.
          const deadline = Date.now() + 15_000;
          while (hooks.confirmsInFlight() === 0 && Date.now() < deadline && !stopped) await sleep(2);
          await sleep(15);
          record.hit = hooks.confirmsInFlight();
          say(`fault: SIGKILL of the web server with ${record.hit} confirm(s) in flight`);
          await stack.web.kill('SIGKILL');
          await sleep(f.holdMs);
          await stack.web.start();
          break;
        }
        case 'psp-latency':
        case 'pg-latency': {
          const proxy = proxyOf(f.kind);
          proxy.setLatency(f.level ?? 0);
          try {
            await sleep(f.holdMs);
          } finally {
            proxy.setLatency(0);
          }
          break;
        }
        case 'psp-reset':
        case 'pg-reset': {
          // Wait (a little) for open connections to reset; "some": every other one, in the order they were opened.
          const proxy = proxyOf(f.kind);
          const deadline = Date.now() + 10_000;
          while (proxy.open === 0 && Date.now() < deadline && !stopped) await sleep(10);
          let i = 0;
          record.hit = proxy.reset(() => (f.level ?? 1) >= 1 || i++ % 2 === 0);
          break;
        }
        case 'psp-blackhole':
        case 'pg-blackhole':
          say(`fault: black hole between the app and ${f.kind === 'psp-blackhole' ? 'the PSP' : 'PostgreSQL'} for ${f.holdMs} ms`);
          await proxyOf(f.kind).blackHole(f.holdMs);
          break;
        default: {
          const worker: StackProcess = stack.workers.get(KILL_TARGET[f.kind])!;
          await worker.kill('SIGKILL');
          await sleep(f.holdMs);
          await worker.start();
        }
      }
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      say(`fault ${f.kind} failed: ${record.error}`);
    }
    record.endedMs = now();
  }

  for (const f of plan) {
    const target = targetOf(f.kind);
    timers.push(setTimeout(() => {
      const next = (queues.get(target) ?? Promise.resolve()).then(() => inject(f));
      queues.set(target, next);
    }, Math.max(0, f.atMs - now())));
  }

  return {
    injected,
    async stop(): Promise<void> {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(queues.values());
      for (const node of broker?.nodes ?? []) node.resume(); // never leave a broker frozen
      stack.proxies?.psp.setLatency(0);
      stack.proxies?.postgres.setLatency(0);
    },
  };
}

/**
 * PSP faults chosen by the seed: before a shopper's confirm (or a merchant's refund), the caller's
 * seeded stream decides whether that payment's call fails, and how (half lose-response, half
 * server-error); the fault is armed at the sandbox for that paymentKey only, so it hits the first
 * call about that payment (the shopper's, or the recovery worker's retry of it) and no other.
 * The same seed faults the same purchases. What counts is how many were taken, read back from
 * the sandbox at the end.
 */
export function pspFaultArmer(sandboxUrl: string, operatorToken: string, secretKey: string, rate: number) {
  const armed = { 'lose-response': 0, 'server-error': 0, failedToArm: 0 };
  const auth = `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;
  const operator = { 'sandbox-operator-token': operatorToken };
  return {
    armed,
    async beforeCall(rng: Prng, operation: 'confirm' | 'cancel', paymentKey: string | null): Promise<void> {
      if (!rng.chance(rate)) return;
      const mode = rng.chance(0.5) ? 'lose-response' : 'server-error';
      if (!paymentKey) return; // the window's redirect named none: the confirm is refused anyway
      const a = await call(`${sandboxUrl}/v1/sandbox/faults`, {
        method: 'POST', headers: { authorization: auth, ...operator, 'content-type': 'application/json' },
        body: JSON.stringify({ operation, mode, count: 1, paymentKey }),
      });
      if (a.kind === 'answer' && a.status === 200) armed[mode]++;
      else armed.failedToArm++; // e.g. during the PostgreSQL restart
    },
    /** Removes faults nobody took, so the recovery phase runs without them. */
    async clear(): Promise<void> {
      await call(`${sandboxUrl}/v1/sandbox/faults`, { method: 'DELETE', headers: { authorization: auth, ...operator } });
    },
  };
}
