import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../db/embedded';
import { runMigrations } from '../../db/migrate';
import { startLocalKafka } from '../../lib/kafka/local-cluster';
import { runSandboxMigrations } from '../../sandbox/db/migrate';

/**
 * One real PostgreSQL and one real Apache Kafka (a single KRaft node) for the whole run.
 * PostgreSQL comes from the embedded binaries in a temp dir, migrated; tests isolate themselves
 * by creating their own merchant or database. Kafka is shared too: each test file gets its own
 * topic and group prefix (tests/setup/kafka-namespace.ts). Tests that kill brokers start a
 * 3-node cluster of their own.
 * TEST_DATABASE_URL points the tests at another server instead; it must be a local one.
 */
export default async function setup(project: TestProject) {
  const kafka = startLocalKafka({ nodes: 1, quickJit: true, heapMb: 768 });
  kafka.catch(() => {}); // awaited below; not an unhandled rejection while PostgreSQL starts
  let url = process.env.TEST_DATABASE_URL;
  let stopPg = async () => {};
  try {
    if (url) {
      const host = new URL(url).hostname;
      if (!['localhost', '127.0.0.1', '::1'].includes(host)) {
        throw new Error(`refusing to run tests against a non-local database (${host})`);
      }
    } else {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'won-test-pg-'));
      chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
      const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'data'), port: 0, database: 'test', ephemeral: true });
      url = pg.url;
      stopPg = async () => {
        await pg.stop();
        rmSync(dir, { recursive: true, force: true });
      };
    }
    await runMigrations(url);
    // The PSP sandbox's own schema on the same server: tests run the pair, as `npm run dev` does.
    await runSandboxMigrations(url);
  } catch (err) {
    await (await kafka.catch(() => undefined))?.stop();
    throw err;
  }
  const cluster = await kafka.catch(async (err) => {
    await stopPg();
    throw err;
  });
  project.provide('databaseUrl', url);
  project.provide('kafkaBrokers', cluster.brokers);
  return async () => {
    await Promise.all([stopPg(), cluster.stop()]);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    kafkaBrokers: string[];
  }
}
