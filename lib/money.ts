/** Formats integer minor units for people. KRW has no minor unit, so 18000 → ₩18,000. */
export function formatMoney(amount: number | bigint, currency: string): string {
  const fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' });
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 0;
  const value = typeof amount === 'bigint' ? Number(amount) : amount;
  return fmt.format(value / 10 ** digits);
}
