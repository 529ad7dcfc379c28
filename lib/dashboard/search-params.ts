import type { z } from 'zod';

/** What a page receives as `searchParams`. */
export type RawSearchParams = Record<string, string | string[] | undefined>;

/** One value per key: a repeated parameter (`?status=A&status=B`) counts by its first value. */
export function firstValues(raw: RawSearchParams): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** An empty form field (`?q=`) means "not filtered", not "filter by the empty string". */
export function blankToUndefined(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Zod issues as one sentence for a person: `from: must be a date like 2025-01-31; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
}
