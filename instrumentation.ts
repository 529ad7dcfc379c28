/**
 * Runs once when the server starts: validates the environment so a missing secret or a bad
 * value stops the app at boot with a clear message, not at the first request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { env } = await import('@/lib/env');
    env();
  }
}
