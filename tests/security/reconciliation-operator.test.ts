import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { journals, reconciliationRuns } from '@/db/schema';
import { createApiKey } from '@/lib/auth/api-keys';
import { isOperatorEmail } from '@/lib/auth/operator-context';
import { closeTestDatabase, testDatabase } from '../helpers/db';
import { createShop } from '../helpers/fixtures';

// The server action reads the request's headers through next/headers; here they are the headers
// of a request signed with merchant B's API key. (Next's request scope, not our database, is stubbed.)
const requestHeaders = new Headers();
vi.mock('next/headers', () => ({ headers: async () => requestHeaders }));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

beforeAll(() => {
  process.env.DATABASE_URL = inject('databaseUrl');
});
afterAll(closeTestDatabase);

describe('reconciliation is an operator action (issue 11 item 7)', () => {
  it('a merchant cannot run the platform-wide reconciliation: 403, no run, no journal in anyone\'s ledger', async () => {
    const { db } = testDatabase();
    const shop = await createShop(db);
    requestHeaders.set('authorization', `Bearer ${(await createApiKey(db, shop.merchantId, 'k', 'test')).key}`);
    const [runsBefore] = await db.select({ n: count() }).from(reconciliationRuns);
    const [settlementsBefore] = await db.select({ n: count() }).from(journals).where(eq(journals.kind, 'SETTLEMENT'));
    const { reconcileTodayAction } = await import('@/app/dashboard/reconciliation/actions');
    await expect(reconcileTodayAction()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const [runsAfter] = await db.select({ n: count() }).from(reconciliationRuns);
    const [settlementsAfter] = await db.select({ n: count() }).from(journals).where(eq(journals.kind, 'SETTLEMENT'));
    expect(runsAfter!.n).toBe(runsBefore!.n);
    expect(settlementsAfter!.n).toBe(settlementsBefore!.n);
  });

  it('operators are the logins listed in OPERATOR_EMAILS', () => {
    expect(isOperatorEmail('Ops@Platform.test ', ['ops@platform.test'])).toBe(true);
    expect(isOperatorEmail('coffee@demo.won', ['ops@platform.test'])).toBe(false);
  });
});
