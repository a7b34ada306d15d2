// B7: how long a worker replica takes from process start to polling, with the prebuilt bundle or with
// workflowsPath (webpack at start-up). Usage: worker-ready <bundle|sources> <temporal address> <task queue> [bundle].
// Prints one JSON line { createMs } once polling, then shuts down.
import { performance } from 'node:perf_hooks';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { fakeOrderServices } from '../activities/fakes';
import { WORKFLOWS_SOURCE_PATH, workerOptions, type WorkflowSource } from '../worker/create-worker';
import { exitOnFailure } from './worker-process';

async function main(): Promise<void> {
  const [mode, address, taskQueue, bundlePath] = process.argv.slice(2);
  if ((mode !== 'bundle' && mode !== 'sources') || !address || !taskQueue)
    throw new Error('usage: worker-ready <bundle|sources> <address> <task queue> [bundle path]');
  if (mode === 'bundle' && !bundlePath) throw new Error('bundle mode needs the bundle path');
  // The webpack build logs at info; only its duration matters here.
  Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  const source: WorkflowSource =
    mode === 'bundle' ? { bundlePath: bundlePath as string } : { workflowsPath: WORKFLOWS_SOURCE_PATH };
  const before = performance.now();
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    ...workerOptions({ TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue }, source, fakeOrderServices()),
  });
  const running = worker.run();
  process.stdout.write(`${JSON.stringify({ createMs: performance.now() - before })}\n`);
  worker.shutdown();
  await running;
  await connection.close();
}

exitOnFailure(main());
