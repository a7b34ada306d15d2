import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
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

/** Bundles workflows/ (with the worker's workflow interceptors) once; pass the result to every worker in the file. */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkerWorkflows();
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

/** One real dev server and one workflow bundle for the enclosing describe(), made in before() and torn down after(). */
export function useWorkflowTestServer(): {
  readonly env: TestWorkflowEnvironment;
  readonly bundle: WorkflowBundleWithSourceMap;
} {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  before(async () => {
    [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
  });
  after(async () => {
    await env?.teardown();
  });
  return {
    get env(): TestWorkflowEnvironment {
      if (!env) throw new Error('the test server is not started yet (use it inside it() or before())');
      return env;
    },
    get bundle(): WorkflowBundleWithSourceMap {
      if (!bundle) throw new Error('the workflow bundle is not built yet (use it inside it() or before())');
      return bundle;
    },
  };
}
