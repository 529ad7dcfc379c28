import { defineConfig } from 'drizzle-kit';

/** The sandbox's own migrations (`npx drizzle-kit generate --config sandbox/drizzle.config.ts`). */
export default defineConfig({
  dialect: 'postgresql',
  schema: './sandbox/db/schema.ts',
  out: './sandbox/db/migrations',
  schemaFilter: ['sandbox'],
  migrations: { schema: 'sandbox', table: '__migrations' },
});
