import { authSummary } from './auth/summary';
import { checkApiConfig, exitOnConfigError, listenHost, type Config } from '../common/config';
import type { Logger } from '../common/logger';
import { runProcess } from '../common/run-process';
import { startTracing } from '../common/tracing';
import { createApp } from './app';
import { createHttpServer } from './http/http-timeouts';
import { createApiMetrics } from './metrics';
import { boundPort } from '../common/bound-port';
import { metricsOnPublicPort, startMetricsServer } from './http/metrics-server';
import { connectApiClient } from './temporal/temporal-client';
import { closeClient } from './temporal/service';

// After the drain delay: in-flight calls are bounded (a wait answers at once when the drain starts, any other call
// within 5 s), so this only catches a bug.
const SHUTDOWN_GRACE_MS = 10_000;

async function main(config: Config, logger: Logger): Promise<void> {
  try {
    checkApiConfig(config);
  } catch (error) {
    exitOnConfigError(error);
  }
  const tracing = startTracing(config.OTEL_SERVICE_NAME ?? 'temporal-http-api', {
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const metrics = createApiMetrics({ processMetrics: true });
  const client = await connectApiClient(config, metrics, tracing !== undefined);
  const drain = new AbortController();
  const app = createApp({ client, config, logger, metrics, tracing: tracing !== undefined, draining: drain.signal });
  const host = listenHost(config);
  const metricsServer =
    config.API_METRICS_PORT === undefined
      ? undefined
      : await startMetricsServer(metrics.registry, { port: config.API_METRICS_PORT, host });

  // The slow-client timeouts are set on the server, and how often Node checks them is fixed when it is created.
  const server = createHttpServer(app, config);
  server.once('error', (error: Error) => {
    logger.error({ port: config.PORT, host: host, error: error.message }, 'api could not listen');
    process.exit(1);
  });
  server.listen(config.PORT, host, () => {
    // The port bound, not the one asked for: PORT=0 binds a free one (tests), and this line says which.
    const port = boundPort(server, config.PORT);
    const base = `http://localhost:${port}`;
    logger.info(
      {
        url: base,
        docs: `${base}/docs`,
        openapi: `${base}/openapi.json`,
        trpc: `${base}/trpc`,
        metrics: metricsServer
          ? `http://localhost:${boundPort(metricsServer, config.API_METRICS_PORT ?? 0)}/metrics`
          : metricsOnPublicPort(config)
            ? `${base}/metrics`
            : 'off (set API_METRICS_PORT)',
        temporal: config.TEMPORAL_ADDRESS,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        auth: authSummary(config),
      },
      'api listening',
    );
  });

  // The drain, in order: readiness fails and new requests get 503 + Retry-After; open waits answer 202 RUNNING with
  // resultUrl and progress streams end with a retry hint (all on the `draining` signal); after the drain delay the
  // listener closes, in-flight requests finish, and only then does the Temporal connection close.

  const shutdown = (signal: string): void => {
    if (drain.signal.aborted) return;
    logger.info({ signal, drainDelayMs: config.API_DRAIN_DELAY_MS }, 'api shutting down');
    drain.abort();
    setTimeout(() => process.exit(1), config.API_DRAIN_DELAY_MS + SHUTDOWN_GRACE_MS).unref();
    setTimeout(() => {
      metricsServer?.close();
      server.close(() => {
        closeClient(client)
          .then(() => tracing?.shutdown())
          .catch(() => undefined)
          .finally(() => {
            logger.info({ signal }, 'api stopped');
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
