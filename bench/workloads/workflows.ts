// Benchmark-only workflows, bundled by the harness for its own worker process on its own task queues: the service's
// worker (workflows/index.ts) never registers them. Every export is a workflow type.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BenchActivities } from './activities';

const { wait_on_io, burn_cpu } = proxyActivities<BenchActivities>({ startToCloseTimeout: '1 minute' });

/** B14, I/O-bound: one activity that waits `ms` (the worker's activity slots bound throughput). */
export async function BenchIoBound(ms: number): Promise<string> {
  return await wait_on_io(ms);
}

/** B14, CPU-bound: one activity that burns `iterations` PBKDF2 rounds on the worker. */
export async function BenchCpuBound(iterations: number): Promise<string> {
  return await burn_cpu(iterations);
}

/** Dev-server settings, timer queue: a durable timer of `ms`, as an approval timeout or a retry back-off is. */
export async function BenchTimer(ms: number): Promise<string> {
  await sleep(ms);
  return 'fired';
}
