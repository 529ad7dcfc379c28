import pino from 'pino';
import type { Db } from '@/db/client';
import { type Db as SandboxDb, sandboxDb } from '@/sandbox/db/client';
import { createOutboxRelay } from '@/lib/outbox/relay';
import { createPspApiHandler } from '@/sandbox/lib/api-handler';
import { ensurePspMerchant } from '@/sandbox/lib/merchants';
import { createTossClient, type TossClient } from '@/lib/psp/toss-client';
import type { RecoveryPolicy } from '@/lib/recovery/recovery-policy';
import { createShop, type TestShop } from '../helpers/fixtures';
import { EventChannel, SimulatedKafkaError } from './event-channel';
import { FakeClock } from './fake-clock';
import type { Prng } from '@/lib/prng';
import { preparedDb } from './prepared-checks';
import { PspNetwork, type PspFault } from './psp-network';
import type { SeedDatabase } from './seed-databases';

export const WEBHOOK_URL = 'http://shop.sim/api/webhooks/psp';
export const silentLog = pino({ level: 'silent' });

/** How often each kind of fault strikes in this seed (0 = never). Seeds differ, as in VOPR. */
export interface FaultRates {
  psp: number;
  webhook: number;
  relay: number;
  consumer: number;
}

/**
 * The outbox relay as deployed in this seed: how many instances claim from the outbox at once,
 * and how many rows each claims per batch (small batches split one payment's events across
 * instances, the case per-key order has to survive).
 */
export interface RelaySetup {
  instances: number;
  batchSize: number;
  /** Seldom: relay steps are rare, so a payment's events pile up unpublished and are split between instances. */
  pace: 'often' | 'seldom';
}

/** What the shopper and the merchant hold; planned from the seed alone, so plans replay. */
export interface OrderModel {
  index: number;
  checkoutKey: string;
  items: { product: 0 | 1 | 2; quantity: number }[];
  amount: bigint;
  /**
   * How the shopper pays in the window: by card, or by virtual account (the confirm answers
   * WAITING_FOR_DEPOSIT, the money comes later with a DEPOSIT_CALLBACK), whose account takes
   * deposits for `validHours`.
   */
  payWith: 'CARD' | 'VIRTUAL_ACCOUNT';
  validHours?: number;
  orderId?: string;
  orderName?: string;
  /** Some confirm told the shopper this order is paid. */
  toldPaid?: boolean;
}

export interface RedirectModel {
  index: number;
  order: number;
  action: 'approve' | 'decline' | 'cancel';
  /** Times a plan followed it (planned, so the choice of the next redirect replays). */
  followed: number;
  /** Where the PSP's window sent the browser; unset if the window refused. */
  url?: string;
}

export interface RefundKeyModel {
  index: number;
  order: number;
  key: string;
  amount?: number;
  /** The refund this key returned first; every later use must return the same one. */
  refundId?: string;
  /** The merchant was told this refund succeeded. */
  toldSucceeded?: boolean;
}

/** One seed's universe: its database, clock, shop, PSP, network and event bus. */
export class World {
  readonly orders: OrderModel[] = [];
  readonly redirects: RedirectModel[] = [];
  readonly refundKeys: RefundKeyModel[] = [];
  /** DEPOSIT_CALLBACKs the simulator sent itself (forged or resent) so far: each gets its own transmission id. */
  callbackIds = 0;
  /** The step being run (quiescence rounds count on), for what happened before what. */
  step = 0;
  /** The step in which the bank took a deposit, by paymentKey (the deposit completed within it). */
  readonly depositedInStep = new Map<string, number>();
  /** The step after which a payment was first seen ended as expired, by payment id. */
  readonly expiredSeenInStep = new Map<string, number>();
  /** Broken promises to a client (same checkout key, two orders; …), found while running. */
  readonly problems: string[] = [];
  /** The database for the invariant queries run after every step (see prepared-checks.ts). */
  readonly checkDb: Db;

  private constructor(
    readonly seed: number,
    readonly database: SeedDatabase,
    readonly clock: FakeClock,
    readonly shop: TestShop,
    readonly pspAccount: { mId: string; clientKey: string; secretKey: string },
    readonly network: PspNetwork,
    readonly channel: EventChannel,
    public rates: FaultRates,
    readonly policy: RecoveryPolicy,
    readonly relaySetup: RelaySetup,
  ) {
    this.checkDb = preparedDb(database.checkSql);
  }

  static async create(seed: number, database: SeedDatabase, rates: FaultRates, feeBps: number, policy: RecoveryPolicy, relaySetup: RelaySetup = { instances: 1, batchSize: 20, pace: 'often' }): Promise<World> {
    const { db } = database;
    const clock = new FakeClock();
    const shop = await createShop(db, { feeBps });
    const suffix = `${seed.toString(36)}${shop.merchantId.slice(-6)}`.slice(0, 12);
    const pspAccount = { mId: `sim${suffix}`.slice(0, 14), clientKey: `test_ck_sim${suffix}`, secretKey: `test_sk_sim${suffix}` };
    // The sandbox runs in-process here (not as its server): it must read the simulator's fake clock.
    await ensurePspMerchant(sandboxDb(db), { ...pspAccount, name: 'Simulated platform', webhookUrl: WEBHOOK_URL, redirectOrigins: ['http://shop.sim'] });
    const handler = createPspApiHandler({ db: sandboxDb(db), now: clock.now, basePath: '/psp', operatorToken: 'simulation-operator-token' });
    return new World(seed, database, clock, shop, pspAccount, new PspNetwork(handler, clock), new EventChannel(), rates, policy, relaySetup);
  }

  get db(): Db {
    return this.database.db;
  }

  /** The sandbox's tables, on the same pool. */
  get pspDb(): SandboxDb {
    return (this.pspDbHandle ??= sandboxDb(this.database.db));
  }

  private pspDbHandle: SandboxDb | undefined;

  /** Our Toss client, on the seeded network; each operation brings its own fault generator. */
  psp(rng: Prng, note: (s: string) => void, cancelFault?: PspFault): TossClient {
    return createTossClient({
      baseUrl: 'http://psp.sim/psp',
      secretKey: this.pspAccount.secretKey,
      timeoutMs: 10_000,
      fetch: this.network.fetchFor(rng, this.rates.psp, note, cancelFault),
    });
  }

  /** One instance of the real outbox relay, publishing to the simulated Kafka through a producer that may fail. */
  relay(rng: Prng, note: (s: string) => void) {
    const producer = this.channel.producer(rng, this.rates.relay, note);
    return createOutboxRelay({ database: this.database, connectProducer: async () => producer, batchSize: this.relaySetup.batchSize, idlePollMs: 0, log: silentLog });
  }

  /**
   * One batch from each of the seed's relay instances, all at once, each in its own database
   * transaction and Kafka transaction (what several relay processes do). A simulated broker
   * failure fails that instance's batch only. Returns the rows each instance published.
   */
  async relayRound(rng: Prng, note: (s: string) => void): Promise<(number | 'failed')[]> {
    const instances = Array.from({ length: this.relaySetup.instances }, (_, i) => ({ i, rng: rng.fork() }));
    return Promise.all(instances.map(async ({ i, rng: own }) => {
      const tagged = this.relaySetup.instances > 1 ? (s: string) => note(`relay ${i + 1}: ${s}`) : note;
      try {
        return await this.relay(own, tagged).publishBatch();
      } catch (err) {
        if (err instanceof SimulatedKafkaError) return 'failed' as const;
        throw err;
      }
    }));
  }
}
