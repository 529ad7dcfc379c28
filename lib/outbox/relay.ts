import { sql } from 'drizzle-orm';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Database } from '@/db/client';
import { PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';
import { claimInKeyOrder } from './claim-in-key-order';

export interface RelayOptions {
  database: Database;
  /** Makes a connected transactional producer; called again after a Kafka failure. */
  connectProducer: () => Promise<Producer>;
  batchSize: number;
  idlePollMs: number;
  log: Logger;
  topic?: string;
  onPublished?: (count: number) => void;
}

/**
 * Moves outbox rows to Kafka. Rows are claimed in id order with FOR UPDATE SKIP LOCKED (so
 * several relays can run) while keeping each payment's events in order (claim-in-key-order.ts),
 * sent in one Kafka transaction, and marked published in the same
 * database transaction that holds their locks, only after Kafka acknowledged them. A relay that
 * dies between the Kafka commit and the database commit publishes those rows again after a
 * restart: delivery is at-least-once and consumers dedupe by eventId.
 */
export function createOutboxRelay(opts: RelayOptions) {
  const topic = opts.topic ?? PAYMENT_EVENTS_TOPIC;
  const { db, sql: pg } = opts.database;
  let producer: Producer | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let healthy = false;
  // Rows the last batch claimed but held back because another relay holds an earlier event of
  // their payment: that relay commits within one Kafka round trip, so look again soon rather
  // than after idlePollMs (no NOTIFY announces its commit).
  let heldBackLast = 0;

  async function publishBatch(): Promise<number> {
    producer ??= await opts.connectProducer();
    const p = producer;
    return db.transaction(async (tx) => {
      const { rows, heldBack } = await claimInKeyOrder(tx, opts.batchSize);
      heldBackLast = heldBack;
      if (rows.length === 0) return 0;
      const txn = await p.transaction();
      try {
        await txn.send({
          topic,
          acks: -1,
          messages: rows.map((r) => ({
            key: r.aggregate_id,
            value: JSON.stringify(r.payload),
            headers: { eventId: r.event_id, eventType: r.event_type, outboxId: r.id },
          })),
        });
        await txn.commit();
      } catch (err) {
        await txn.abort().catch(() => {});
        throw err;
      }
      // One text parameter, not one per id: drizzle would expand an array into a row value.
      await tx.execute(sql`update outbox set published_at = now() where id = any(string_to_array(${rows.map((r) => r.id).join(',')}, ',')::bigint[])`);
      return rows.length;
    });
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        const n = await publishBatch();
        healthy = true;
        failures = 0;
        if (n > 0) opts.onPublished?.(n);
        if (n < opts.batchSize) await sleep(heldBackLast > 0 ? Math.min(opts.idlePollMs, HELD_BACK_RETRY_MS) : opts.idlePollMs);
      } catch (err) {
        healthy = false;
        failures++;
        const backoff = Math.min(30_000, 200 * 2 ** Math.min(failures, 8));
        if (isFenced(err)) {
          // Another producer took this transactional id (this process was presumed dead, e.g.
          // frozen, and a replacement started): this one's open transaction is aborted and the
          // rows it held go back to the outbox. A fenced producer can never be used again.
          opts.log.warn({ err: (err as Error).message }, 'relay producer fenced by a newer one with the same transactional id; recreating it');
        } else {
          opts.log.warn({ err: (err as Error).message, failures, backoffMs: backoff }, 'relay batch failed; backing off');
        }
        // After an unclear Kafka error the producer's transaction state is unknown: start anew.
        const old = producer;
        producer = undefined;
        await old?.disconnect().catch(() => {});
        if (!stopping) await sleep(backoff);
      }
    }
  }

  return {
    publishBatch,
    isHealthy: () => healthy,
    async start() {
      // NOTIFY from the outbox trigger wakes the loop as soon as a state change commits.
      await pg.listen('outbox', () => wake?.());
      loop = run();
    },
    /** Finishes the batch in flight, then stops. */
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await producer?.disconnect().catch(() => {});
    },
  };
}

const HELD_BACK_RETRY_MS = 10;

/** Kafka's answer to a producer whose transactional id a newer producer has taken over. */
function isFenced(err: unknown): boolean {
  const type = (err as { type?: string }).type;
  return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED';
}
