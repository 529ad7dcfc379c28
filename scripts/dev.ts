import { runNext } from './lib/run-next';

runNext('dev').catch((err) => {
  console.error('[won] could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
