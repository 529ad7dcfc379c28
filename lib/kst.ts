/**
 * Korean calendar days. The dashboard reports by KST day (Asia/Seoul, UTC+9 all year: Korea has
 * no daylight saving time), whatever the server's or the browser's time zone is. Showing an
 * instant to people is lib/format.ts's job.
 */
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** `yyyy-MM-dd` of an instant in Korea. */
export function kstDateOf(at: Date): string {
  return new Date(at.getTime() + KST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a KST day starts. */
export function kstStartOf(date: string): Date {
  return new Date(`${date}T00:00:00+09:00`);
}

/** Calendar arithmetic on `yyyy-MM-dd` (no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** `yyyy-MM-dd` that names a real day (not 2025-02-30). */
export function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && addDays(value, 0) === value;
}
