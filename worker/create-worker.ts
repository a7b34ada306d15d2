import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
  type ActivityInterceptorsFactory,
  type InjectedSinks,
} from '@temporalio/worker';
import {
  makeWorkflowExporter,
  type OpenTelemetrySinks,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { temporalConnectionSettings } from '../common/temporal-connection';
import type { Tracing } from '../common/tracing';
import { activityRequestContext } from './activity-request-context';
import { sdkLoggerOver } from './runtime';

/** Where the worker gets workflow code: the prebuilt bundle in production, the sources in development. */
export type WorkflowSource = { bundlePath: string } | { workflowsPath: string };

export const WORKFLOWS_SOURCE_PATH = require.resolve('../workflows');

/** Workflow interceptors, bundled with the workflows (the prebuilt bundle, the dev worker's and the tests'). */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  require.resolve('../workflows/interceptors/request-context'),
  // Always bundled (the bundle is built once); with tracing off its spans go to a no-op sink.
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

// `npm run build` writes the bundle beside the compiled code (dist/workflow-bundle.js); from sources there is none.
const BUILT_BUNDLE_PATH = join(__dirname, '..', 'workflow-bundle.js');

/** Picks WORKFLOW_BUNDLE_PATH, else the bundle `npm run build` made, else bundles workflows/ at start-up (development). */
export function workflowSourceFromConfig(config: Config): WorkflowSource {
  if (config.WORKFLOW_BUNDLE_PATH) return { bundlePath: config.WORKFLOW_BUNDLE_PATH };
  if (existsSync(BUILT_BUNDLE_PATH)) return { bundlePath: BUILT_BUNDLE_PATH };
  return { workflowsPath: WORKFLOWS_SOURCE_PATH };
}

/** Bundles workflows/ with its interceptors; webpack's report goes to the logger at debug (and errors at error). */
export async function bundleWorkflows(logger?: Logger): Promise<WorkflowBundleWithSourceMap> {
  const sdkLogger = logger ? sdkLoggerOver(logger) : undefined;
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    logger: sdkLogger ? { ...sdkLogger, info: sdkLogger.debug } : quiet,
  });
}

/** Workflow spans leave the sandbox through this sink: to the process's exporter, or nowhere with tracing off. */
export function workflowSinks(tracing?: Tracing): InjectedSinks<OpenTelemetrySinks> {
  return {
    exporter: makeWorkflowExporter(
      tracing?.spanProcessor ?? new NoopSpanProcessor(),
      tracing?.resource ?? Resource.empty(),
    ),
  };
}

/** A span per activity attempt, continuing the workflow's trace from the activity's headers. */
export const activityTracing: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

type WorkerConfig = Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'> &
  Partial<
    Pick<
      Config,
      | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'
      | 'WORKER_MAX_CONCURRENT_ACTIVITIES'
      | 'WORKER_MAX_CACHED_WORKFLOWS'
      | 'WORKER_SHUTDOWN_GRACE_MS'
    >
  >;

/** Worker options shared by the worker process and tests: every workflow export and every activity on one queue. */
export function workerOptions(
  config: WorkerConfig,
  source: WorkflowSource | { bundle: WorkflowBundleWithSourceMap },
  deps: ActivityDeps,
  tracing?: Tracing,
): Omit<WorkerOptions, 'connection'> {
  return {
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...('bundle' in source
      ? { workflowBundle: source.bundle }
      : 'bundlePath' in source
        ? { workflowBundle: { codePath: source.bundlePath } }
        : { workflowsPath: source.workflowsPath }),
    activities: createActivities(deps),
    interceptors: {
      activity: [activityRequestContext, ...(tracing ? [activityTracing] : [])],
      // A bundle has its workflow interceptors built in (bundleWorkflows, npm run build); sources get them here.
      ...('workflowsPath' in source ? { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] } : {}),
    },
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    sinks: workflowSinks(tracing),
    // Running activities get this long to finish once SIGTERM arrives; then they are cancelled and retried elsewhere.
    // Only when configured: the SDK reads an explicit undefined as a bad duration, not as its default.
    ...(config.WORKER_SHUTDOWN_GRACE_MS === undefined ? {} : { shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_MS }),
  };
}

/** Connects to Temporal and creates the worker; the caller runs it and closes the connection afterwards. */
export async function createWorker(
  config: Config,
  deps: ActivityDeps,
  logger?: Logger,
  tracing?: Tracing,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const settings = temporalConnectionSettings(config);
  const configured = workflowSourceFromConfig(config);
  // From sources, bundle here rather than in Worker.create, which reports webpack's statistics at info.
  const source = 'workflowsPath' in configured ? { bundle: await bundleWorkflows(logger) } : configured;
  const connection = await NativeConnection.connect({
    address: settings.address,
    tls: settings.tls,
    apiKey: settings.apiKey,
  });
  try {
    const worker = await Worker.create({ connection, ...workerOptions(config, source, deps, tracing) });
    return { worker, connection };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
