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

/**
 * Workflow interceptors, bundled with the workflows: the request context always, OpenTelemetry's only when traces
 * are exported. In the sandbox it builds spans for every activation even with tracing off, which cost about 8 ms of
 * worker time per YourWorkflow (docs/benchmarks.md, "Worker"). Workflows behave the same with or without it (it adds
 * headers, no commands), so traced and untraced replicas can serve one task queue.
 */
export function workflowInterceptorModules(traced: boolean): string[] {
  return [
    require.resolve('../workflows/interceptors/request-context'),
    ...(traced ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : []),
  ];
}

/** The bundles `npm run build` writes beside the compiled code (dist/); from sources there are none. */
export function builtBundlePath(traced: boolean, dir = join(__dirname, '..')): string {
  return join(dir, traced ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');
}

/** Traces are exported (and the traced bundle needed) exactly when an OTLP endpoint is configured. */
const isTraced = (config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT'>): boolean =>
  config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined;

/**
 * Picks WORKFLOW_BUNDLE_PATH, else the bundle `npm run build` made for this tracing setting, else bundles workflows/
 * at start-up (development).
 */
export function workflowSourceFromConfig(
  config: Pick<Config, 'WORKFLOW_BUNDLE_PATH' | 'OTEL_EXPORTER_OTLP_ENDPOINT'>,
  builtDir?: string,
): WorkflowSource {
  if (config.WORKFLOW_BUNDLE_PATH) return { bundlePath: config.WORKFLOW_BUNDLE_PATH };
  const built = builtBundlePath(isTraced(config), builtDir);
  if (existsSync(built)) return { bundlePath: built };
  return { workflowsPath: WORKFLOWS_SOURCE_PATH };
}

/** Bundles workflows/ with its interceptors; webpack's report goes to the logger at debug (and errors at error). */
export async function bundleWorkflows(
  logger?: Logger,
  { traced = false }: { traced?: boolean } = {},
): Promise<WorkflowBundleWithSourceMap> {
  const sdkLogger = logger ? sdkLoggerOver(logger) : undefined;
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    workflowInterceptorModules: workflowInterceptorModules(traced),
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
      ...('workflowsPath' in source ? { workflowModules: workflowInterceptorModules(tracing !== undefined) } : {}),
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
  const source =
    'workflowsPath' in configured
      ? { bundle: await bundleWorkflows(logger, { traced: tracing !== undefined }) }
      : configured;
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
