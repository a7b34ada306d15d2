// A worker replica for the benchmark-only workflows (bench/workloads/), on its own task queue, from a bundle the
// harness built once. Usage: workload-worker <temporal address> <task queue> <bundle path> <activity slots>.
// Prints "workload worker polling" once it polls; SIGTERM stops it (the SDK's runtime handles it).
import { exitOnFailure, runReplica } from './worker-process';
import { createBenchActivities } from './workloads/activities';

exitOnFailure(
  runReplica(
    'workload-worker <address> <task queue> <bundle path> <activity slots>',
    ([, taskQueue, bundlePath, slots]) => ({
      taskQueue,
      workflowBundle: { codePath: bundlePath },
      activities: createBenchActivities(),
      // The replica's activity slots: what bounds an I/O-bound workload per replica.
      maxConcurrentActivityTaskExecutions: Number(slots),
    }),
    () => process.stdout.write('workload worker polling\n'),
  ),
);
