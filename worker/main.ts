import type { Server } from 'node:http';
import { webhookSettingsOf } from '../activities/webhook-delivery';
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
  const sdkMetricsAddress = config.WORKER_METRICS_PORT ? `127.0.0.1:${await freeLoopbackPort()}` : undefined;
  installWorkerRuntime(config, logger, sdkMetricsAddress);
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
  let opsServer: Server | undefined;
  if (config.WORKER_METRICS_PORT && sdkMetricsAddress) {
    opsServer = await startWorkerOpsServer(worker, { port: config.WORKER_METRICS_PORT, sdkMetricsAddress });
  }
  logger.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      namespace: config.TEMPORAL_NAMESPACE,
      address: config.TEMPORAL_ADDRESS,
      workflowSource: workflowSourceFromConfig(config),
      metricsPort: config.WORKER_METRICS_PORT,
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
