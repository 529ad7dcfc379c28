import pino, { type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { connect } from '@/db/client';
import { startHealthServer } from './health-server';
import { startHeartbeat } from './heartbeat';

/**
 * What every worker process shares: a logger, a metrics registry, a health endpoint, a heartbeat
 * in the database (the dashboard's system health reads it) and a graceful shutdown that runs the
 * worker's own stop (drain) before the process exits.
 */
export async function runWorker(name: string, opts: { logLevel: string; healthPort: number; databaseUrl: string }, start: (ctx: { log: Logger; registry: Registry }) => Promise<{ stop(): Promise<void>; ready(): boolean }>): Promise<void> {
  const log = pino({ level: opts.logLevel, base: { service: name, pid: process.pid } });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let worker: Awaited<ReturnType<typeof start>> | undefined;
  const health = await startHealthServer({ port: opts.healthPort, registry, ready: () => worker?.ready() ?? false });
  log.info({ healthPort: health.port }, `${name} starting`);
  worker = await start({ log, registry });
  log.info(`${name} running`);
  // Its own single connection: a worker whose pool is saturated still says it is alive.
  const beats = connect(opts.databaseUrl, { max: 1, appName: `${name}-heartbeat` });
  const heartbeat = startHeartbeat(beats.db, name, (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'heartbeat not written'));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${name} draining`);
    const force = setTimeout(() => {
      log.error('drain took too long; exiting');
      process.exit(1);
    }, 20_000);
    try {
      heartbeat.stop();
      await worker?.stop();
      await beats.close();
      await health.close();
      clearTimeout(force);
      log.info(`${name} stopped`);
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
