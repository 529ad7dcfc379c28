import type { z } from 'zod';

/**
 * Parses environment variables with a schema. An empty variable means "not set" (e.g.
 * `DATABASE_URL= npm start`), and a bad one stops the process with a message naming it.
 */
export function parseEnvWith<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.output<S> {
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(given);
  if (!result.success) {
    throw new Error(`Invalid environment:\n${result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return result.data;
}
