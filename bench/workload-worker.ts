// A worker replica for the benchmark-only workflows (bench/workloads/), on its own task queue, from a bundle the
// harness built once. Usage: workload-worker <temporal address> <task queue> <bundle path> <activity slots>.
// Prints "workload worker polling" once it polls; SIGTERM stops it (the SDK's runtime handles it).
import { Worker } from '@temporalio/worker';
import { startReplica } from './worker-process';
import { createBenchActivities } from './workloads/activities';

async function main(): Promise<void> {
  const {
    args: [, taskQueue, bundlePath, slots],
    connection,
  } = await startReplica('workload-worker <address> <task queue> <bundle path> <activity slots>');
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { codePath: bundlePath },
    activities: createBenchActivities(),
    // The replica's activity slots: what bounds an I/O-bound workload per replica.
    maxConcurrentActivityTaskExecutions: Number(slots),
  });
  const running = worker.run();
  process.stdout.write('workload worker polling\n');
  await running;
  await connection.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
