// Benchmark-only activities: they never ship with the service's worker (bench/workload-worker.ts registers them).
import { pbkdf2Sync } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** The worker-bound workloads' activities (B14) and the settings probe's. */
export function createBenchActivities(): {
  wait_on_io(ms: number): Promise<string>;
  burn_cpu(iterations: number): Promise<string>;
} {
  return {
    /** Waits `ms` like a call to a slow downstream service: holds an activity slot, uses no CPU. */
    async wait_on_io(ms: number): Promise<string> {
      await sleep(ms);
      return 'waited';
    },
    /** Burns a fixed amount of CPU on the worker's main thread (PBKDF2 rounds), as a parser or a renderer would. */
    async burn_cpu(iterations: number): Promise<string> {
      pbkdf2Sync('bench', 'salt', iterations, 32, 'sha256');
      return 'burned';
    },
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;
