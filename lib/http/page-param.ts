import { z } from 'zod';

/** `?page=` of a list: anything that is not a page number falls back to the first page. */
export function pageParam(raw: string | string[] | undefined): number {
  const parsed = z.coerce.number().int().min(1).max(100_000).safeParse(Array.isArray(raw) ? raw[0] : raw);
  return parsed.success ? parsed.data : 1;
}
