import type { Clock } from '@/sandbox/lib/clock';

/**
 * Simulated time. It starts at the real time when a seed starts, because rows written by the
 * database's own `now()` (created_at, updated_at) are compared with it, and only moves forward
 * when the simulation says so: ten minutes of Toss's confirm window pass in one step.
 */
export class FakeClock {
  private at: number;
  readonly startedAt: number;

  constructor(start = Date.now()) {
    this.at = start;
    this.startedAt = start;
  }

  readonly now: Clock = () => new Date(this.at);

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`time only moves forward (got ${ms} ms)`);
    this.at += ms;
  }

  /** Simulated time since the start, as `+1d02:03:04`, for traces. */
  elapsed(): string {
    const s = Math.floor((this.at - this.startedAt) / 1000);
    const d = Math.floor(s / 86_400);
    const hh = String(Math.floor((s % 86_400) / 3600)).padStart(2, '0');
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return `+${d ? `${d}d` : ''}${hh}:${mm}:${ss}`;
  }
}
