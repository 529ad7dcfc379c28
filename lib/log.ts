import pino from 'pino';

/** Structured logs; the level comes from LOG_LEVEL (validated in lib/env.ts when the app boots). */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'won-checkout' },
});
