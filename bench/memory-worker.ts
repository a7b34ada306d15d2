// B8: a worker replica that keeps workflows in its cache so that its memory per cached workflow can be read.
// It registers no activities, so every YourWorkflow waits on its your_activity and stays cached.
// Usage (forked with IPC, node --expose-gc): memory-worker <temporal address> <task queue> <bundle path> <max cached>.
import { Worker } from '@temporalio/worker';
import { fakeOrderServices } from '../activities/fakes';
import { workerOptions } from '../worker/create-worker';
import { startReplica } from './worker-process';

export interface MemoryStats {
  rssBytes: number;
  heapUsedBytes: number;
  cachedWorkflows: number;
}

export type MemoryWorkerMessage = { event: 'ready' } | { event: 'stats'; stats: MemoryStats };

function stats(worker: Worker): MemoryStats {
  // Collect first so that garbage waiting for the next GC does not count as memory the cache holds.
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    cachedWorkflows: worker.getStatus().numCachedWorkflows,
  };
}

async function main(): Promise<void> {
  const {
    args: [, taskQueue, bundlePath, maxCached],
    connection,
  } = await startReplica('memory-worker <address> <task queue> <bundle path> <max cached>');
  const worker = await Worker.create({
    connection,
    ...workerOptions(
      { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue },
      { bundlePath },
      fakeOrderServices(),
    ),
    activities: {},
    maxCachedWorkflows: Number(maxCached),
  });
  const running = worker.run();
  const tell = (message: MemoryWorkerMessage): void => {
    process.send?.(message);
  };
  process.on('message', (command: string) => {
    if (command === 'stats') tell({ event: 'stats', stats: stats(worker) });
    if (command === 'stop') worker.shutdown();
  });
  tell({ event: 'ready' });
  await running;
  await connection.close();
  process.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
