import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../common/config';
import { temporalConnectionSettings } from '../common/temporal-connection';

/** Where the worker gets workflow code: the prebuilt bundle in production, the sources in development. */
export type WorkflowSource = { bundlePath: string } | { workflowsPath: string };

export const WORKFLOWS_SOURCE_PATH = require.resolve('../workflows');

// `npm run build` writes the bundle beside the compiled code (dist/workflow-bundle.js); from sources there is none.
const BUILT_BUNDLE_PATH = join(__dirname, '..', 'workflow-bundle.js');

/** Picks WORKFLOW_BUNDLE_PATH, else the bundle `npm run build` made, else bundles workflows/ at start-up (development). */
export function workflowSourceFromConfig(config: Config): WorkflowSource {
  if (config.WORKFLOW_BUNDLE_PATH) return { bundlePath: config.WORKFLOW_BUNDLE_PATH };
  if (existsSync(BUILT_BUNDLE_PATH)) return { bundlePath: BUILT_BUNDLE_PATH };
  return { workflowsPath: WORKFLOWS_SOURCE_PATH };
}

/** Worker options shared by the worker process and tests: every workflow export and every activity on one queue. */
export function workerOptions(
  config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'> &
    Partial<
      Pick<
        Config,
        'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'WORKER_MAX_CONCURRENT_ACTIVITIES' | 'WORKER_MAX_CACHED_WORKFLOWS'
      >
    >,
  source: WorkflowSource,
  deps: ActivityDeps = {},
): Omit<WorkerOptions, 'connection'> {
  return {
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...('bundlePath' in source
      ? { workflowBundle: { codePath: source.bundlePath } }
      : { workflowsPath: source.workflowsPath }),
    activities: createActivities(deps),
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  };
}

/** Connects to Temporal and creates the worker; the caller runs it and closes the connection afterwards. */
export async function createWorker(
  config: Config,
  deps: ActivityDeps = {},
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const settings = temporalConnectionSettings(config);
  const connection = await NativeConnection.connect({
    address: settings.address,
    tls: settings.tls,
    apiKey: settings.apiKey,
  });
  try {
    const worker = await Worker.create({
      connection,
      ...workerOptions(config, workflowSourceFromConfig(config), deps),
    });
    return { worker, connection };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
