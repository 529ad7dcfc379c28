import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Db } from '@/db/client';
import { closeTestDatabase, createIsolatedDatabase, testDatabase } from './db';
import { createShop, type TestShop } from './fixtures';
import { expectInvariantsHold } from './invariants';
import { startSandbox, type SandboxUnderTest } from './psp';

export interface PaymentsHarness {
  db: Db;
  shop: TestShop;
  psp: SandboxUnderTest;
}

/**
 * What payment tests share: a fresh shop, the PSP sandbox over real HTTP, and after each test
 * the sandbox answering promptly again and the product's invariants holding for the shop.
 * `isolated` gives the file a database of its own (for code that scans every payment).
 * The fields are filled in by beforeAll: read them inside tests, not at module level.
 */
export function usePaymentsHarness(opts: { feeBps?: number; isolated?: boolean; invariantsAfterEach?: boolean } = {}): PaymentsHarness {
  const h = {} as PaymentsHarness;
  let closeIsolated = async () => {};
  beforeAll(async () => {
    if (opts.isolated) {
      const own = await createIsolatedDatabase();
      h.db = own.db;
      closeIsolated = own.close;
    } else {
      h.db = testDatabase().db;
    }
    h.shop = await createShop(h.db, { feeBps: opts.feeBps });
    h.psp = await startSandbox(h.db);
  });
  afterEach(async () => {
    h.psp.setDelay(0);
    if (opts.invariantsAfterEach !== false) await expectInvariantsHold(h.db, h.shop.merchantId);
  });
  afterAll(async () => {
    await h.psp.close();
    await closeIsolated();
    await closeTestDatabase();
  });
  return h;
}
