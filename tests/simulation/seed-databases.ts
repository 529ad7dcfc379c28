import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { connect, type Database } from '@/db/client';
import { runMigrations } from '@/db/migrate';
import { runSandboxMigrations } from '@/sandbox/db/migrate';

export interface SeedDatabase extends Database {
  name: string;
  /**
   * One more connection, for the invariant queries run after every step: the same few
   * statements thousands of times, so they are planned once (generic plans) instead of per call.
   */
  checkSql: postgres.Sql;
  /** Closes the pool; the database is dropped with the next batch. */
  dispose(): Promise<void>;
}

/** Databases made (and dropped) at a time: see `refill`. */
const BATCH = 16;

/**
 * A database of its own for every seed, copied from a migrated template. Recovery, the outbox
 * relay and reconciliation scan every payment, not one merchant's, so seeds sharing a database
 * would act on each other's payments and no seed would replay alone.
 */
export class SeedDatabases {
  private counter = 0;
  private ready: string[] = [];
  private retired: string[] = [];
  private refilling: Promise<void> | undefined;

  private constructor(private readonly server: URL, private readonly template: string, private readonly admin: postgres.Sql) {}

  /** Creates and migrates the template on the server of `url` (a local one: it creates and drops databases). */
  static async open(url: string): Promise<SeedDatabases> {
    const server = new URL(url);
    if (!['localhost', '127.0.0.1', '::1', '[::1]'].includes(server.hostname)) {
      throw new Error(`refusing to create simulation databases on a non-local server (${server.hostname})`);
    }
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    const template = `sim_tpl_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`create database ${template}`);
    await runMigrations(withDatabase(server, template));
    // The sandbox runs in-process in the simulator, on the same database (schema `sandbox`).
    await runSandboxMigrations(withDatabase(server, template));
    return new SeedDatabases(server, template, admin);
  }

  async create(): Promise<SeedDatabase> {
    while (this.ready.length === 0) {
      this.refilling ??= this.refill().finally(() => (this.refilling = undefined));
      await this.refilling;
    }
    const name = this.ready.pop()!;
    const url = withDatabase(this.server, name);
    const database = connect(url, { max: 4, appName: 'won-simulation' });
    const checkSql = postgres(url, {
      max: 1,
      types: { bigint: postgres.BigInt },
      onnotice: () => {},
      connection: { application_name: 'won-simulation-checks', plan_cache_mode: 'force_generic_plan' },
    });
    return {
      ...database,
      name,
      checkSql,
      dispose: async () => {
        await Promise.all([database.close(), checkSql.end({ timeout: 5 })]);
        this.retired.push(name);
      },
    };
  }

  async close(): Promise<void> {
    await this.refilling?.catch(() => undefined);
    for (const name of [...this.retired, ...this.ready, this.template]) await this.admin.unsafe(`drop database if exists ${name} with (force)`);
    await this.admin.end({ timeout: 5 });
  }

  /**
   * Drops the used databases, then copies the template BATCH times. Batched because the first
   * CREATE DATABASE after a DROP waits for a checkpoint (≈300 ms on a busy 2-core machine), the
   * following ones take ≈20 ms.
   */
  private async refill(): Promise<void> {
    const used = this.retired.splice(0);
    for (const name of used) await this.admin.unsafe(`drop database if exists ${name} with (force)`);
    for (let i = 0; i < BATCH; i++) {
      const name = `${this.template.replace('_tpl_', '_')}_${++this.counter}`;
      // FILE_COPY is the fast way to clone a small template (PostgreSQL ≥ 15).
      await this.admin.unsafe(`create database ${name} template ${this.template} strategy file_copy`);
      this.ready.push(name);
    }
  }
}

function withDatabase(server: URL, name: string): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}
