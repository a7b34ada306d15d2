import { authSummary } from './auth/summary';
import { checkApiConfig, exitOnConfigError, type Config } from '../common/config';
import { createLogger } from '../common/logger';
import { runProcess } from '../common/run-process';
import { createApp } from './app';
import { applyHttpTimeouts } from './http-timeouts';
import { connectApiClient } from './temporal-client';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(config: Config): Promise<void> {
  try {
    checkApiConfig(config);
  } catch (error) {
    exitOnConfigError(error);
  }
  const logger = createLogger('api', config.LOG_LEVEL);
  const client = await connectApiClient(config);
  const app = createApp({ client, config, logger });

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
      auth: authSummary(config),
    });
  });

  applyHttpTimeouts(server, config);

  const shutdown = (signal: string): void => {
    logger.info('api shutting down', { signal });
    const forced = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      client.connection
        .close()
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(forced);
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

runProcess('api', main);
