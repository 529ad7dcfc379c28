import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ensurePspMerchant, findMerchantByClientKey, findMerchantBySecretKey, isTestMerchant,
} from '@/sandbox/lib/merchants';
import { closeTestDatabase, testDatabase } from '@/tests/helpers/db';
import { sandboxDb } from '@/sandbox/db/client';

const db = sandboxDb(testDatabase().sql);
afterAll(() => closeTestDatabase());

const fresh = () => {
  const id = randomUUID().replaceAll('-', '');
  return { mId: `m${id.slice(0, 13)}`, name: 'Won Checkout Platform', clientKey: `test_ck_${id}`, secretKey: `test_sk_${id}` };
};

describe('ensurePspMerchant', () => {
  it('creates the merchant, and a second call with the same values changes nothing', async () => {
    const m = fresh();
    const created = await ensurePspMerchant(db, m);
    const again = await ensurePspMerchant(db, m);
    expect(again).toEqual(created);
    expect(await findMerchantBySecretKey(db, m.secretKey)).toEqual(created);
    expect(await findMerchantByClientKey(db, m.clientKey)).toEqual(created);
  });

  it('brings name and keys in line with the given ones (keys changed in env)', async () => {
    const m = fresh();
    await ensurePspMerchant(db, m);
    const rotated = { ...fresh(), mId: m.mId, name: 'Renamed' };
    const updated = await ensurePspMerchant(db, rotated);
    expect(updated).toMatchObject({ mId: m.mId, name: 'Renamed', secretKey: rotated.secretKey, clientKey: rotated.clientKey });
    expect(await findMerchantBySecretKey(db, m.secretKey)).toBeUndefined();
  });

  it('refuses keys that are not Toss-shaped', async () => {
    await expect(ensurePspMerchant(db, { ...fresh(), secretKey: 'sk_without_mode' })).rejects.toThrow(/secretKey/);
  });

  it('tells test keys from live keys', async () => {
    expect(isTestMerchant({ secretKey: 'test_sk_x' })).toBe(true);
    expect(isTestMerchant({ secretKey: 'live_sk_x' })).toBe(false);
  });
});
