import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Workflow, WorkflowResultType } from '@temporalio/common';
import type { WorkflowStartOptions } from '@temporalio/client';
import {
  DefaultLogger,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createActivities } from '../../activities';
import { fakeOrderServices } from '../../activities/fakes';
import { devServerSettingsArgs } from '../../scripts/temporal-dev-server';
import { bundleWorkflows as bundleWorkerWorkflows, workflowSinks } from '../../worker/create-worker';

const TEMPORAL_CLI_SCRIPT = join(__dirname, '..', '..', 'scripts', 'temporal-cli.sh');

/** The temporal CLI that `npm test` obtained beforehand (pretest); tests never download anything. */
export function temporalCliPath(): string {
  return execFileSync('bash', [TEMPORAL_CLI_SCRIPT, '--locate'], { encoding: 'utf8' }).trim();
}

/** Starts a real, ephemeral Temporal dev server (in memory) on a free port, for one test file. */
export async function startTestServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      extraArgs: ['--log-level', 'error', ...devServerSettingsArgs()],
    },
  });
}

/**
 * Bundles workflows/ with the worker's workflow interceptors once (the default bundle; `traced` adds OpenTelemetry's,
 * as a worker exporting traces has); pass the result to every worker in the file.
 */
export async function bundleWorkflows({
  traced = false,
}: { traced?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkerWorkflows(undefined, { traced });
}

/** A task queue (or workflow ID) no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Creates a worker on the test server with the real workflows and, unless replaced, the real activities. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  options: Partial<WorkerOptions> & { taskQueue: string },
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: bundle,
    activities: createActivities(fakeOrderServices()),
    sinks: workflowSinks(),
    ...options,
  });
}

/** What one test file shares: a real dev server and the workflow bundle, made once. */
export interface TestServer {
  readonly env: TestWorkflowEnvironment;
  readonly bundle: WorkflowBundleWithSourceMap;
}

let runtimeInstalled = false;

/** Starts the dev server and bundles workflows in parallel; call once per file and tear `env` down after. */
export async function startTestServerWithBundle(): Promise<TestServer> {
  if (!runtimeInstalled) {
    // Workers log every state change at INFO; test output keeps only the SDK's warnings.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
  return { env, bundle };
}

/** The file's test server and bundle, made in before() and torn down in after() of the enclosing describe(). */
export function useTestServer(): TestServer {
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServerWithBundle();
  });
  after(async () => {
    await server?.env.teardown();
  });
  const started = (): TestServer => {
    if (!server) throw new Error('the test server is not started yet (use it inside it() or before())');
    return server;
  };
  return {
    get env() {
      return started().env;
    },
    get bundle() {
      return started().bundle;
    },
  };
}

/** Runs one workflow to its result on a worker of its own (real activities, fake services) and a fresh task queue. */
export async function executeOnTestWorker<W extends Workflow>(
  server: TestServer,
  workflowType: string,
  args: WorkflowStartOptions<W>['args'],
): Promise<WorkflowResultType<W>> {
  const taskQueue = uniqueName('tq');
  const worker = await createTestWorker(server.env, server.bundle, { taskQueue });
  return worker.runUntil(
    server.env.client.workflow.execute<W>(workflowType, {
      taskQueue,
      workflowId: uniqueName('wf'),
      args,
    } as WorkflowStartOptions<W>),
  );
}
