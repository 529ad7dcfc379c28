import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Reads `.env` (copied from .env.example) into process.env, if there is one. A variable already
 * set in the real environment wins over the file (Node's loader never overwrites), so
 * `PORT=4000 npm run dev` still means port 4000 whatever .env says.
 */
export function loadEnvFile(file = '.env'): string | undefined {
  const at = path.resolve(file);
  if (!existsSync(at)) return undefined;
  process.loadEnvFile(at);
  return at;
}
