import { sql } from 'drizzle-orm';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Database } from '@/db/client';
import { PAYMENT_EVENTS_TOPIC } from '@/lib/kafka/topics';

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

interface OutboxRow {
  id: string;
  event_id: string;
  event_type: string;
  aggregate_id: string;
  payload: unknown;
}

/**
 * Moves outbox rows to Kafka. Rows are claimed in id order with FOR UPDATE SKIP LOCKED (so
 * several relays can run), sent in one Kafka transaction, and marked published in the same
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

  async function publishBatch(): Promise<number> {
    producer ??= await opts.connectProducer();
    const p = producer;
    return db.transaction(async (tx) => {
      const rows = (await tx.execute(sql`
        select id::text, event_id, event_type, aggregate_id, payload from outbox
        where published_at is null order by id limit ${opts.batchSize}
        for update skip locked`)) as unknown as OutboxRow[];
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
        if (n < opts.batchSize) await sleep(opts.idlePollMs);
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

/** Kafka's answer to a producer whose transactional id a newer producer has taken over. */
function isFenced(err: unknown): boolean {
  const type = (err as { type?: string }).type;
  return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED';
}
