// B8: a worker replica that keeps workflows in its cache so that its memory per cached workflow can be read.
// It registers no activities, so every YourWorkflow waits on its your_activity and stays cached.
// Usage (forked with IPC, node --expose-gc): memory-worker <temporal address> <task queue> <bundle path> <max cached>.
import type { Worker } from '@temporalio/worker';
import { fakeOrderServices } from '../activities/fakes';
import { workerOptions } from '../worker/create-worker';
import { exitOnFailure, runReplica } from './worker-process';

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

exitOnFailure(
  runReplica(
    'memory-worker <address> <task queue> <bundle path> <max cached>',
    ([, taskQueue, bundlePath, maxCached]) => ({
      ...workerOptions(
        { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue },
        { bundlePath },
        fakeOrderServices(),
      ),
      activities: {},
      maxCachedWorkflows: Number(maxCached),
    }),
    (worker) => {
      const tell = (message: MemoryWorkerMessage): void => {
        process.send?.(message);
      };
      process.on('message', (command: string) => {
        if (command === 'stats') tell({ event: 'stats', stats: stats(worker) });
        if (command === 'stop') worker.shutdown();
      });
      tell({ event: 'ready' });
    },
  ).then(() => process.disconnect()),
);
