import { expect } from 'vitest';
import type { Db } from '@/db/client';
import { checkInvariants } from '@/lib/invariants/check-invariants';

/** Every integration test ends here: the invariants (docs/ARCHITECTURE.md) hold for its merchant. */
export async function expectInvariantsHold(db: Db, merchantId: string): Promise<void> {
  const results = await checkInvariants(db, { merchantId });
  const broken = results.filter((r) => r.violations > 0);
  expect(broken, JSON.stringify(broken, null, 2)).toEqual([]);
}
