import type { Producer, ProducerRecord } from 'kafkajs';
import type { Db } from '@/db/client';
import { applyBalanceEvents } from '@/lib/consumers/balance-projection';
import type { Delivered } from '@/lib/consumers/run-consumer';
import { paymentEventSchema } from '@/lib/events/contract';
import type { Prng } from '@/lib/prng';

const PARTITIONS = 3;

/** Errors the simulated broker raises on purpose; anything else the relay throws is a real failure. */
export class SimulatedKafkaError extends Error {}

interface Message {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * The simulation's Kafka: the payments topic as in-memory partitions (keyed like the relay keys
 * them), a transactional producer for the real outbox relay, and the balance projection's
 * consumer group with committed offsets. The seed decides when the broker fails, when the relay
 * dies between Kafka's ack and its database commit, and when the consumer sees duplicates,
 * reordered batches or dies between its effect and its offset commit.
 */
export class EventChannel {
  private readonly log: Message[][] = Array.from({ length: PARTITIONS }, () => []);
  private readonly committed: number[] = Array.from({ length: PARTITIONS }, () => 0);
  /** Set when the channel saw something a consumer would have to dead-letter. */
  readonly problems: string[] = [];
  /** Per key (payment), the outbox ids in the order they first reached the topic. */
  private readonly arrivals = new Map<string, string[]>();
  private readonly arrived = new Set<string>();

  /** Per key, the outbox ids in the order they first reached the topic (redeliveries left out). */
  firstArrivals(): ReadonlyMap<string, readonly string[]> {
    return this.arrivals;
  }

  /** Messages not yet committed by the balance projection. */
  lag(): number {
    return this.log.reduce((s, p, i) => s + p.length - this.committed[i]!, 0);
  }

  size(): number {
    return this.log.reduce((s, p) => s + p.length, 0);
  }

  /** A transactional producer for one relay batch, failing as the generator says. */
  producer(rng: Prng, rate: number, note: (s: string) => void): Producer {
    const fault = rate > 0 && rng.chance(rate) ? rng.weighted({ 'broker-down': 2, 'commit-fails': 1, 'crash-after-ack': 3 }) : 'none';
    const transaction = async () => {
      const staged: Message[] = [];
      return {
        send: async (record: ProducerRecord) => {
          if (fault === 'broker-down') {
            note('broker unavailable');
            throw new SimulatedKafkaError('broker unavailable (simulated)');
          }
          for (const m of record.messages) {
            const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
            staged.push({ key: String(m.key), value: String(m.value), headers });
          }
          return [];
        },
        commit: async () => {
          if (fault === 'commit-fails') {
            note('commit failed, nothing published');
            throw new SimulatedKafkaError('transaction commit failed (simulated)');
          }
          // A few turns of the event loop first: several relays' commits then land in an order
          // the database's timing and the seed decide, not always in the order they claimed.
          for (let n = rng.int(0, 3); n > 0; n--) await new Promise((r) => setImmediate(r));
          for (const m of staged) this.append(m);
          if (fault === 'crash-after-ack') {
            // Kafka has the batch; the relay dies before marking the rows published.
            note(`relay died after Kafka acked ${staged.length}`);
            throw new SimulatedKafkaError('relay crashed after the Kafka commit (simulated)');
          }
        },
        abort: async () => {},
      };
    };
    return { transaction, disconnect: async () => {} } as unknown as Producer;
  }

  private append(m: Message): void {
    this.log[partitionOf(m.key)]!.push(m);
    const outboxId = m.headers.outboxId ?? '';
    if (this.arrived.has(outboxId)) return;
    this.arrived.add(outboxId);
    const ids = this.arrivals.get(m.key) ?? [];
    ids.push(outboxId);
    this.arrivals.set(m.key, ids);
  }

  /**
   * One poll of the balance projection's consumer: up to `max` messages per partition from the
   * committed offsets, applied in one call of the real handler, then offsets committed. Faults:
   * a reordered batch, duplicated messages, a rewind of the committed offsets (a rebalance that
   * replays), a crash before the effect, a crash after the effect but before the offset commit.
   */
  async consume(db: Db, rng: Prng, rate: number, note: (s: string) => void, max = 20): Promise<number> {
    const fault = rate > 0 && rng.chance(rate) ? rng.weighted({ reorder: 2, duplicate: 2, rewind: 4, 'crash-before': 1, 'crash-after': 4 }) : 'none';
    if (fault === 'rewind') {
      const p = rng.int(0, PARTITIONS - 1);
      const back = rng.int(1, 5);
      note(`offsets of partition ${p} rewound by ${back}`);
      this.committed[p] = Math.max(0, this.committed[p]! - back);
    }
    const batch: Delivered[] = [];
    const upTo = this.committed.map((from, p) => Math.min(this.log[p]!.length, from + max));
    for (let p = 0; p < PARTITIONS; p++) {
      for (let offset = this.committed[p]!; offset < upTo[p]!; offset++) {
        const d = parse(this.log[p]![offset]!, p, offset);
        if (d) batch.push(d);
        else this.problems.push(`partition ${p} offset ${offset}: not a valid event`);
      }
    }
    if (batch.length === 0) return 0;
    let delivered = batch;
    if (fault === 'reorder') {
      note('batch reordered');
      delivered = rng.shuffle(batch);
    } else if (fault === 'duplicate') {
      note('batch has duplicates');
      delivered = rng.shuffle([...batch, ...batch.filter(() => rng.chance(0.5))]);
    }
    if (fault === 'crash-before') {
      note('consumer died before applying');
      return 0;
    }
    await applyBalanceEvents(db, delivered);
    if (fault === 'crash-after') {
      note('consumer died after applying, before committing offsets');
      return 0;
    }
    upTo.forEach((o, p) => (this.committed[p] = o));
    return batch.length;
  }
}

/** As the real consumer does: the message value must be a valid event of the contract. */
function parse(m: Message, partition: number, offset: number): Delivered | null {
  let json: unknown;
  try {
    json = JSON.parse(m.value);
  } catch {
    return null;
  }
  const event = paymentEventSchema.safeParse(json);
  return event.success ? { event: event.data, topic: 'payments.events', partition, offset: String(offset), headers: m.headers } : null;
}

/** Same key, same partition: per-payment order is kept, as with Kafka's default partitioner. */
function partitionOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h % PARTITIONS;
}
