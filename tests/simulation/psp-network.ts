import type { FakeClock } from './fake-clock';
import type { Prng } from '@/lib/prng';

export type FetchHandler = (req: Request) => Promise<Response>;

/**
 * What can go wrong between our server and the PSP, as seen by one HTTP call:
 *   error-before   the PSP answers 500 FAILED_INTERNAL_SYSTEM_PROCESSING without doing anything;
 *   bad-gateway    a proxy answers 502 with an HTML page (no Toss error shape);
 *   timeout-before the request never arrives; the client times out;
 *   lost-after     the PSP does the work, the answer is lost (the case idempotency keys exist for);
 *   late           the client times out, the request arrives later (released by a later step);
 *   duplicate      the request arrives twice (a network-level retry), in a row or at once;
 *   slow           the answer takes seconds of simulated time.
 */
export const PSP_FAULTS = {
  'error-before': 3,
  'bad-gateway': 1,
  'timeout-before': 2,
  'lost-after': 4,
  late: 2,
  duplicate: 2,
  slow: 2,
} as const;
export type PspFault = keyof typeof PSP_FAULTS;

interface Held {
  url: string;
  method: string;
  headers: [string, string][];
  body: string | undefined;
}

/**
 * The seeded network in front of the product's PSP sandbox: `fetchFor` gives the Toss client a
 * fetch that calls the sandbox's real API handler in-process, with faults drawn from the
 * operation's own generator.
 */
export class PspNetwork {
  private late: Held[] = [];

  constructor(private readonly handler: FetchHandler, private readonly clock: FakeClock) {}

  /** `cancelFault`: strikes the first cancel call made through this fetch, whatever the rate. */
  fetchFor(rng: Prng, rate: number, note: (s: string) => void, cancelFault?: PspFault): typeof fetch {
    let forced = cancelFault;
    return async (input, init) => {
      const held = await hold(new Request(input, init));
      const what = describe(held);
      let fault: PspFault | 'none' = rate > 0 && rng.chance(rate) ? rng.weighted(PSP_FAULTS) : 'none';
      if (forced && what === 'cancel') {
        fault = forced;
        forced = undefined;
      }
      switch (fault) {
        case 'none':
          return this.deliver(held);
        case 'error-before':
          note(`psp ${what}: 500 before processing`);
          return Response.json({ code: 'FAILED_INTERNAL_SYSTEM_PROCESSING', message: '내부 시스템 처리 작업이 실패했습니다.' }, { status: 500 });
        case 'bad-gateway':
          note(`psp ${what}: 502 from a proxy`);
          return new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } });
        case 'timeout-before':
          note(`psp ${what}: timed out, never arrived`);
          throw timeout();
        case 'lost-after': {
          const res = await this.deliver(held);
          note(`psp ${what}: processed (${res.status}), answer lost`);
          await res.arrayBuffer().catch(() => undefined);
          throw new TypeError('fetch failed', { cause: new Error('ECONNRESET (simulated)') });
        }
        case 'late':
          note(`psp ${what}: timed out, arrives later`);
          this.late.push(held);
          throw timeout();
        case 'duplicate': {
          if (rng.chance(0.5)) {
            note(`psp ${what}: arrived twice at once`);
            const [first, second] = await Promise.all([this.deliver(held), this.deliver(held)]);
            await first.arrayBuffer().catch(() => undefined);
            return second;
          }
          note(`psp ${what}: arrived twice`);
          await (await this.deliver(held)).arrayBuffer().catch(() => undefined);
          return this.deliver(held);
        }
        case 'slow': {
          const ms = rng.int(1, 9) * 1_000;
          note(`psp ${what}: slow (${ms / 1000} s)`);
          this.clock.advance(ms);
          return this.deliver(held);
        }
      }
    };
  }

  /** Requests that timed out at the client and have not reached the PSP yet. */
  lateCount(): number {
    return this.late.length;
  }

  /** The late requests arrive now, in an order the generator picks; their answers go nowhere. */
  async releaseLate(rng: Prng, note: (s: string) => void): Promise<number> {
    const batch = rng.shuffle(this.late);
    this.late = [];
    for (const held of batch) {
      const res = await this.deliver(held);
      note(`late ${describe(held)} → ${res.status}`);
      await res.arrayBuffer().catch(() => undefined);
    }
    return batch.length;
  }

  private deliver(held: Held): Promise<Response> {
    // A fresh Request each time: no abort signal from the client that gave up long ago.
    return this.handler(new Request(held.url, { method: held.method, headers: held.headers, body: held.body }));
  }
}

async function hold(req: Request): Promise<Held> {
  return {
    url: req.url,
    method: req.method,
    headers: [...req.headers.entries()],
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.text(),
  };
}

function describe(held: Held): string {
  const path = new URL(held.url).pathname.replace(/^\/psp\/v1\//, '');
  if (path.endsWith('/cancel')) return 'cancel';
  if (path === 'payments/confirm') return 'confirm';
  if (path.startsWith('settlements')) return 'settlements';
  return 'lookup';
}

function timeout(): Error {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}
