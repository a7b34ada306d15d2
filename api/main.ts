import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { runProcess } from '../common/run-process';
import { startTracing } from '../common/tracing';
import { createApp } from './app';
import { createApiMetrics } from './metrics';
import { connectApiClient } from './temporal-client';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(config: Config, logger: Logger): Promise<void> {
  const tracing = startTracing(config.OTEL_SERVICE_NAME ?? 'temporal-http-api', {
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const metrics = createApiMetrics({ processMetrics: true });
  const client = await connectApiClient(config, metrics, tracing !== undefined);
  const app = createApp({ client, config, logger, metrics, tracing: tracing !== undefined });

  // Express 5 hands a listen failure (port in use) to this callback rather than throwing it.
  const server = app.listen(config.PORT, config.HOST, (error?: Error) => {
    if (error) {
      logger.error({ port: config.PORT, host: config.HOST, error: error.message }, 'api could not listen');
      process.exit(1);
    }
    const base = `http://localhost:${config.PORT}`;
    logger.info(
      {
        url: base,
        docs: `${base}/docs`,
        openapi: `${base}/openapi.json`,
        trpc: `${base}/trpc`,
        metrics: `${base}/metrics`,
        temporal: config.TEMPORAL_ADDRESS,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
      },
      'api listening',
    );
  });

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'api shutting down');
    const forced = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      client.connection
        .close()
        .then(() => tracing?.shutdown())
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
