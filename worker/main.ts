import type { Config } from '../common/config';
import { createLogger } from '../common/logger';
import { runProcess } from '../common/run-process';
import { createWorker, workflowSourceFromConfig } from './create-worker';

async function main(config: Config): Promise<void> {
  const log = createLogger('worker', config.LOG_LEVEL);
  const { worker, connection } = await createWorker(config);
  log.info('worker polling', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    namespace: config.TEMPORAL_NAMESPACE,
    address: config.TEMPORAL_ADDRESS,
    workflowSource: workflowSourceFromConfig(config),
  });
  try {
    // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: run() resolves once in-flight tasks finish.
    await worker.run();
  } finally {
    await connection.close();
    log.info('worker stopped');
  }
}

runProcess('worker', main);
