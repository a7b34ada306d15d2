import type { Worker } from '@temporalio/worker';
import { webhookSettingsOf } from '../activities/webhook-delivery';
import { boundPort } from '../common/bound-port';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { runProcess } from '../common/run-process';
import { startTracing } from '../common/tracing';
import { createWorker, workflowSourceFromConfig } from './create-worker';
import { freeLoopbackPort, startWorkerOpsServer } from './health-server';
import { createOrderServices } from './order-services';
import { installWorkerRuntime } from './runtime';

async function main(config: Config, logger: Logger): Promise<void> {
  // The SDK's exporter listens on loopback only; WORKER_METRICS_PORT relays it beside the probes.
  const sdkMetricsAddress =
    config.WORKER_METRICS_PORT !== undefined ? `127.0.0.1:${await freeLoopbackPort()}` : undefined;
  installWorkerRuntime(config, logger, sdkMetricsAddress);
  // The probes answer from the start: /readyz is 503 while the worker connects and loads its workflows.
  const started: { worker?: Worker } = {};
  const opsServer =
    config.WORKER_METRICS_PORT !== undefined && sdkMetricsAddress
      ? await startWorkerOpsServer(
          { getState: () => started.worker?.getState() ?? 'STARTING' },
          { port: config.WORKER_METRICS_PORT, sdkMetricsAddress },
        )
      : undefined;
  const metricsPort = opsServer ? boundPort(opsServer, config.WORKER_METRICS_PORT ?? 0) : undefined;
  logger.info({ metricsPort }, 'worker starting');
  const services = createOrderServices(config, logger);
  const tracing = startTracing(config.OTEL_SERVICE_NAME ?? 'temporal-http-worker', {
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const { worker, connection } = await createWorker(
    config,
    { ...services, webhooks: webhookSettingsOf(config) },
    logger,
    tracing,
  );
  started.worker = worker;
  logger.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      namespace: config.TEMPORAL_NAMESPACE,
      address: config.TEMPORAL_ADDRESS,
      workflowSource: workflowSourceFromConfig(config),
      metricsPort,
      shutdownGraceMs: config.WORKER_SHUTDOWN_GRACE_MS,
    },
    'worker polling',
  );
  try {
    // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: polling stops, running activities get
    // shutdownGraceTime to finish, and run() resolves once in-flight tasks are done.
    await worker.run();
  } finally {
    opsServer?.close();
    await connection.close();
    await tracing?.shutdown();
    logger.info('worker stopped');
  }
}

runProcess('worker', main);
