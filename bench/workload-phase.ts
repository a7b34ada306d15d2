// B14: worker-bound workloads on 1, 2 and 4 replicas of the benchmark's own worker, each replica count on its own
// task queue, interleaved. I/O-bound: each activity waits, so a replica's activity slots bound its throughput and
// replicas should add up; CPU-bound: each activity burns CPU, so the machine's cores bound it.
import { QUEUES } from './environment';
import { executeTarget, interleave, windowOf, type PhaseRun } from './phases';
import type { Service } from './processes';
import { primeQueue } from './prime';
import { runDriver, type Sample } from './run-driver';
import { startWorkloadWorker } from './services';
import type { TemporalTarget, WorkflowCall } from './targets';

export const REPLICA_COUNTS = [1, 2, 4] as const;

export async function workloadPhase(phase: PhaseRun, bundle: string): Promise<void> {
  const { env, group, settings } = phase;
  const workers: Service[] = [];
  try {
    for (const replicas of REPLICA_COUNTS) {
      const started = await Promise.all(
        Array.from({ length: replicas }, (_, i) =>
          startWorkloadWorker(
            group,
            `work-${replicas}-${i + 1}`,
            env.file.address,
            QUEUES.work(replicas),
            bundle,
            settings.workIoSlots,
          ),
        ),
      );
      workers.push(...started);
    }
    const watch = { ...env.watch };
    for (const worker of workers) watch[worker.name] = worker.pid;
    const shape = {
      kind: 'closed' as const,
      concurrency: settings.workConcurrency,
      ...windowOf({ ...settings, durationMs: settings.workDurationMs }),
    };
    const job = (replicas: number, workflow: WorkflowCall) => (): Promise<Sample> => {
      const target: TemporalTarget = { ...executeTarget(env.file.address, QUEUES.work(replicas)), workflow };
      return runDriver({ target, shape }, watch);
    };
    const io = { type: 'BenchIoBound', args: [settings.workIoMs], result: 'waited' };
    const cpu = { type: 'BenchCpuBound', args: [settings.workCpuIterations], result: 'burned' };
    const variants: Record<string, () => Promise<Sample>> = {};
    for (const replicas of REPLICA_COUNTS)
      for (const workflow of [io, cpu])
        await primeQueue(env.file.address, QUEUES.work(replicas), workflow, 2 * replicas);
    for (const replicas of REPLICA_COUNTS) variants[`work-io.${replicas}`] = job(replicas, io);
    for (const replicas of REPLICA_COUNTS) variants[`work-cpu.${replicas}`] = job(replicas, cpu);
    await interleave(variants, phase);
  } finally {
    for (const worker of workers.reverse()) await group.stop(worker);
  }
}
