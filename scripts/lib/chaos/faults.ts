/**
 * The faults of a chaos run. Process and infrastructure faults follow a plan drawn from the seed
 * before the load starts (what, when, for how long); PSP faults are armed at a rate, right before
 * shoppers confirm, through the sandbox's fault-injection API (lose-response: the PSP approves and
 * the answer is lost; server-error: a 500 and nothing done). Every injection is counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack, StackProcess, WorkerName } from '../stack';
import { call } from './http';
import type { Prng } from '@/lib/prng';


export type ProcessFaultKind = 'kill-relay' | 'kill-consumers' | 'kill-recovery' | 'pause-broker' | 'restart-postgres';

export interface PlannedFault {
  kind: ProcessFaultKind;
  /** ms after the load started. */
  atMs: number;
  /** How long the process stays dead / the broker stays paused before it comes back. */
  holdMs: number;
}

export interface InjectedFault extends PlannedFault {
  startedMs: number;
  /** When the part was back (restarted, resumed, accepting connections). */
  endedMs?: number;
  error?: string;
}

const KILL_TARGET: Record<'kill-relay' | 'kill-consumers' | 'kill-recovery', WorkerName> = {
  'kill-relay': 'relay', 'kill-consumers': 'consumers', 'kill-recovery': 'recovery',
};

/**
 * The plan for a load of `durationMs`: several SIGKILLs of the relay and of the consumers, a few
 * of the recovery worker, broker pauses, and one PostgreSQL restart in the middle third. Faults
 * land between 5% and 85% of the load so the last of them is over before the load ends.
 */
export function planFaults(rng: Prng, durationMs: number): PlannedFault[] {
  const at = (from: number, to: number) => Math.round(durationMs * (from + rng.float() * (to - from)));
  const plan: PlannedFault[] = [];
  const kills = Math.max(3, Math.round(durationMs / 15_000));
  for (let i = 0; i < kills; i++) plan.push({ kind: 'kill-relay', atMs: at(0.05, 0.85), holdMs: rng.int(300, 3_000) });
  for (let i = 0; i < kills; i++) plan.push({ kind: 'kill-consumers', atMs: at(0.05, 0.85), holdMs: rng.int(300, 3_000) });
  for (let i = 0; i < Math.max(2, Math.round(durationMs / 30_000)); i++) plan.push({ kind: 'kill-recovery', atMs: at(0.05, 0.85), holdMs: rng.int(300, 2_000) });
  // Broker pauses in separate halves so they never overlap; longer than the producer's and
  // consumers' patience is not the point here: a few seconds of a frozen broker is.
  plan.push({ kind: 'pause-broker', atMs: at(0.1, 0.4), holdMs: rng.int(2_000, 5_000) });
  plan.push({ kind: 'pause-broker', atMs: at(0.55, 0.8), holdMs: rng.int(2_000, 5_000) });
  plan.push({ kind: 'restart-postgres', atMs: at(0.35, 0.65), holdMs: 0 });
  return plan.sort((a, b) => a.atMs - b.atMs);
}

/** Carries out the plan against the stack; `stop()` waits for every fault in progress to end. */
export function startFaults(stack: Stack, plan: PlannedFault[], startedAt: number, say: (line: string) => void) {
  const injected: InjectedFault[] = [];
  // One queue per target, so two faults on one part never overlap (a kill during a kill).
  const queues = new Map<string, Promise<void>>();
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const now = () => Date.now() - startedAt;
  const broker = stack.kafka;

  async function inject(f: PlannedFault): Promise<void> {
    if (stopped) return;
    const record: InjectedFault = { ...f, startedMs: now() };
    injected.push(record);
    try {
      if (f.kind === 'pause-broker') {
        // One real broker JVM frozen: its sockets stay open and it answers nothing.
        const node = broker?.nodes[0];
        if (!node) throw new Error('no local Kafka to pause');
        node.pause();
        try {
          await sleep(f.holdMs);
        } finally {
          node.resume();
        }
      } else if (f.kind === 'restart-postgres') {
        say(`fault: restarting PostgreSQL (fast shutdown, then start)`);
        await stack.pg.restart();
      } else {
        const worker: StackProcess = stack.workers.get(KILL_TARGET[f.kind])!;
        await worker.kill('SIGKILL');
        await sleep(f.holdMs);
        await worker.start();
      }
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      say(`fault ${f.kind} failed: ${record.error}`);
    }
    record.endedMs = now();
  }

  for (const f of plan) {
    const target = f.kind.startsWith('kill-') ? f.kind : f.kind === 'pause-broker' ? 'broker' : 'postgres';
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
    },
  };
}

/**
 * PSP faults at a rate: before a confirm, with probability `rate` arm one fault (half
 * lose-response, half server-error) for the PSP's next confirm call. Faults are a queue at the
 * sandbox, so an armed fault hits whichever confirm comes next (a shopper's or the recovery
 * worker's); what counts is how many were taken, read back from the sandbox at the end.
 */
export function pspFaultArmer(sandboxUrl: string, operatorToken: string, secretKey: string, rate: number) {
  const armed = { 'lose-response': 0, 'server-error': 0, failedToArm: 0 };
  const auth = `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;
  const operator = { 'sandbox-operator-token': operatorToken };
  return {
    armed,
    async beforeConfirm(rng: Prng): Promise<void> {
      if (!rng.chance(rate)) return;
      const mode = rng.chance(0.5) ? 'lose-response' : 'server-error';
      const a = await call(`${sandboxUrl}/v1/sandbox/faults`, {
        method: 'POST', headers: { authorization: auth, ...operator, 'content-type': 'application/json' }, body: JSON.stringify({ operation: 'confirm', mode, count: 1 }),
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
