import type { Config } from '../common/config';
import { createLogger } from '../common/logger';
import { runProcess } from '../common/run-process';
import { createApp } from './app';
import { connectApiClient } from './temporal-client';

// After the drain delay: in-flight calls are bounded (a wait answers at once when the drain starts, any other call
// within 5 s), so this only catches a bug.
const SHUTDOWN_GRACE_MS = 10_000;

async function main(config: Config): Promise<void> {
  const logger = createLogger('api', config.LOG_LEVEL);
  const client = await connectApiClient(config);
  const drain = new AbortController();
  const app = createApp({ client, config, logger, draining: drain.signal });

  // Express 5 hands a listen failure (port in use) to this callback rather than throwing it.
  const server = app.listen(config.PORT, config.HOST, (error?: Error) => {
    if (error) {
      logger.error('api could not listen', { port: config.PORT, host: config.HOST, error: error.message });
      process.exit(1);
    }
    const base = `http://localhost:${config.PORT}`;
    logger.info('api listening', {
      url: base,
      docs: `${base}/docs`,
      openapi: `${base}/openapi.json`,
      trpc: `${base}/trpc`,
      temporal: config.TEMPORAL_ADDRESS,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    });
  });

  // The drain, in order: readiness fails and new requests get 503 + Retry-After; open waits answer 202 RUNNING with
  // resultUrl and progress streams end with a retry hint (all on the `draining` signal); after the drain delay the
  // listener closes, in-flight requests finish, and only then does the Temporal connection close.
  const shutdown = (signal: string): void => {
    if (drain.signal.aborted) return;
    logger.info('api shutting down', { signal, drainDelayMs: config.API_DRAIN_DELAY_MS });
    drain.abort();
    setTimeout(() => process.exit(1), config.API_DRAIN_DELAY_MS + SHUTDOWN_GRACE_MS).unref();
    setTimeout(() => {
      server.close(() => {
        client.connection
          .close()
          .catch(() => undefined)
          .finally(() => {
            logger.info('api stopped', { signal });
            process.exit(0);
          });
      });
      server.closeIdleConnections();
    }, config.API_DRAIN_DELAY_MS);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

runProcess('api', main);
