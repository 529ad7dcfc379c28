import { describe, expect, it } from 'vitest';
import { newClusterId } from '@/lib/kafka/local-cluster';

describe('a new KRaft cluster id', () => {
  it('never starts with "-" (the storage tool would read it as an option and fail to format)', () => {
    // 4,000 draws: a generator that lets one in 64 through fails here with certainty in practice.
    const ids = Array.from({ length: 4_000 }, newClusterId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
