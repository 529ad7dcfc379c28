import type { Logger } from 'pino';
import type { DbOrTx } from '../db/client';
import { type Clock, systemClock } from './clock';
import { deliverDueWebhooks } from './deliver-due-webhooks';

export interface WebhookDeliveryLoopOptions {
  db: DbOrTx;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Pause between rounds when the last round did not fill its batch. */
  intervalMs: number;
  timeScale: number;
  /** See DeliverDueWebhooksOptions.leaseMs. */
  leaseMs?: number;
  batchSize?: number;
  now?: Clock;
  fetch?: typeof fetch;
}

export interface WebhookDeliveryLoop {
  /** Finishes the round in progress (its POSTs and their records), then stops. */
  stop(): Promise<void>;
}

/**
 * Runs deliverDueWebhooks round after round: immediately again after a full batch (a backlog),
 * otherwise after `intervalMs`. A failing round (database down) is logged and retried after the
 * interval; it never ends the loop.
 */
export function startWebhookDeliveryLoop(opts: WebhookDeliveryLoopOptions): WebhookDeliveryLoop {
  const now = opts.now ?? systemClock;
  const batchSize = opts.batchSize ?? 50;
  let stopping = false;
  let wake: (() => void) | undefined;

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

  const done = (async () => {
    while (!stopping) {
      let full = false;
      try {
        const round = await deliverDueWebhooks(opts.db, { now: now(), timeScale: opts.timeScale, leaseMs: opts.leaseMs, limit: batchSize, fetch: opts.fetch });
        full = round.attempted >= batchSize;
        if (round.attempted > 0) opts.log.info(round, 'psp sandbox webhooks: delivery round');
        if (round.failed > 0) opts.log.warn({ failed: round.failed }, 'psp sandbox webhooks: gave up on deliveries after the last retry');
      } catch (err) {
        opts.log.error({ err }, 'psp sandbox webhooks: delivery round failed');
      }
      if (!full && !stopping) await pause(opts.intervalMs);
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await done;
    },
  };
}
