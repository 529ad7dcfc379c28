import { describe, expect, it } from 'vitest';
import { formatCount, formatMoney, formatPercent, formatTime } from '@/lib/format';

describe('money', () => {
  it('is won with thousands separators', () => {
    expect(formatMoney(68_000, 'KRW')).toBe('₩68,000');
    expect(formatMoney(1_000, 'KRW')).toBe('₩1,000');
    expect(formatMoney(0, 'KRW')).toBe('₩0');
    expect(formatMoney(-13_400n, 'KRW')).toBe('-₩13,400');
    expect(formatMoney(1_234_567_890n, 'KRW')).toBe('₩1,234,567,890');
  });
  it('counts and rates', () => {
    expect(formatCount(12_345)).toBe('12,345');
    expect(formatPercent(2 / 3)).toBe('66.7%');
  });
});

describe('time', () => {
  it('is Korean time, labelled, whatever the zone of the instant', () => {
    expect(formatTime(new Date('2026-12-06T06:41:44Z'))).toBe('2026-12-06 15:41:44 KST');
    expect(formatTime('2026-12-06T15:41:44+09:00')).toBe('2026-12-06 15:41:44 KST');
    // 23:30 UTC is already the next day in Korea.
    expect(formatTime(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01 08:30:00 KST');
  });
  it('stands in for no time', () => {
    expect(formatTime(null)).toBe('—');
    expect(formatTime(undefined, 'never')).toBe('never');
    expect(formatTime('not a date')).toBe('—');
  });
});
