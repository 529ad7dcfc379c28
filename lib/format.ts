/**
 * How people see money, numbers and time, in every language of the app: the one place that
 * formats them. Money is ₩ with thousands separators (KRW has no minor unit); every timestamp is
 * shown in Korean time and says so ("2026-12-06 15:41:44 KST"), because merchants and shoppers
 * live in KST whatever zone the server or the browser is in. Pure: runs on the server, in the
 * browser and in the PSP sandbox.
 */

/** Korea has no daylight saving time: KST is UTC+9 all year. */
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** The label every formatted timestamp carries. */
export const TIME_ZONE_LABEL = 'KST';

const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string): Intl.NumberFormat {
  let fmt = moneyFormats.get(currency);
  if (!fmt) {
    // One rendering in both languages: ₩18,000 reads the same to a Korean and an English reader.
    fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' });
    moneyFormats.set(currency, fmt);
  }
  return fmt;
}

/** Integer minor units for people. KRW has no minor unit, so 18000 → ₩18,000 (and -500 → -₩500). */
export function formatMoney(amount: number | bigint, currency: string): string {
  const fmt = moneyFormat(currency);
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 0;
  const value = typeof amount === 'bigint' ? Number(amount) : amount;
  return fmt.format(value / 10 ** digits);
}

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** A count with thousands separators: 12345 → 12,345. */
export function formatCount(n: number | bigint): string {
  return countFormat.format(n);
}

const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
/** A short number for chart axes: 1200000 → 1.2M. */
export function formatCompact(n: number): string {
  return compactFormat.format(n);
}

/** A share (0–1) as a percentage with one decimal: 0.6667 → 66.7%. */
export function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** `yyyy-MM-dd HH:mm:ss` of an instant in Korea, without the label (for inputs and sorting). */
export function kstDateTimeOf(at: Date | string): string {
  return new Date(new Date(at).getTime() + KST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A timestamp as everyone sees it: Korean time to the second, labelled, e.g.
 * "2026-12-06 15:41:44 KST"; `empty` stands in for none.
 */
export function formatTime(at: Date | string | null | undefined, empty = '—'): string {
  if (at == null) return empty;
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? empty : `${kstDateTimeOf(d)} ${TIME_ZONE_LABEL}`;
}
