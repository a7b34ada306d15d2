import { join } from 'node:path';
import { startCallCounter, type CallCounter } from './grpc-call-counter';
import type { ProcessGroup, Service } from './processes';
import { startRestate, type RestatePeer } from './restate';
import { startApi, startNaive, startTemporal, startWorker, temporalCliPath, type TemporalServer } from './services';

/** Task queues of one run: starts go where no worker polls, so start figures measure the start path alone. */
export const QUEUES = {
  start: 'bench-start',
  execute: 'bench-execute',
  scaleOne: 'bench-scale-1',
  scaleTwo: 'bench-scale-2',
  ready: 'bench-ready',
  memory: 'bench-memory',
  /** Worker-bound workloads (B14): one queue per replica count. */
  work: (replicas: number) => `bench-work-${replicas}`,
  /** The benchmark-only timer workflow of the dev-server settings comparison. */
  timer: 'bench-timer',
} as const;

/** Every process a run measures against, started once and kept up for the whole run. */
export interface BenchEnvironment {
  cli: string;
  /** The dev server backed by a SQLite file (the main one) and its in-memory twin for comparison. */
  file: TemporalServer;
  memory: TemporalServer;
  /** The service's API on the start queue (no worker) and on the execute queue (one worker replica). */
  apiStart: { service: Service; url: string };
  apiExecute: { service: Service; url: string };
  naive: { service: Service; url: string };
  /** B12/B13: an API on the execute queue that reaches Temporal through a call counter. */
  apiProgress: { service: Service; url: string };
  callCounter: CallCounter;
  restate: RestatePeer | { error: string };
  /** name → pid of everything whose CPU each sample records. */
  watch: Record<string, number>;
}

export async function startEnvironment(
  group: ProcessGroup,
  runDir: string,
  options: { profile: boolean },
): Promise<BenchEnvironment> {
  const cli = temporalCliPath();
  const [file, memory] = await Promise.all([
    startTemporal(group, 'temporal-file', cli, { kind: 'file', path: join(runDir, 'temporal.sqlite') }),
    startTemporal(group, 'temporal-memory', cli, { kind: 'memory' }),
  ]);
  const profileArgs = (name: string): string[] =>
    options.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${join(runDir, 'profiles')}`, `--cpu-prof-name=${name}.cpuprofile`]
      : [];
  const callCounter = await startCallCounter(file.address);
  const [apiStart, apiExecute, naive, apiProgress] = await Promise.all([
    startApi(group, 'api-start', file.address, QUEUES.start, profileArgs('api-start')),
    startApi(group, 'api-execute', file.address, QUEUES.execute, profileArgs('api-execute')),
    startNaive(group, file.address, { start: QUEUES.start, execute: QUEUES.execute }),
    startApi(group, 'api-progress', callCounter.address, QUEUES.execute),
  ]);
  const workers = await Promise.all([
    startWorker(group, 'worker-execute', file.address, QUEUES.execute),
    startWorker(group, 'worker-execute-memory', memory.address, QUEUES.execute),
    startWorker(group, 'worker-scale-1', file.address, QUEUES.scaleOne),
    startWorker(group, 'worker-scale-2a', file.address, QUEUES.scaleTwo),
    startWorker(group, 'worker-scale-2b', file.address, QUEUES.scaleTwo),
  ]);
  let restate: BenchEnvironment['restate'];
  try {
    restate = await startRestate(group, runDir);
  } catch (error) {
    restate = { error: error instanceof Error ? error.message : String(error) };
  }
  const watch: Record<string, number> = {
    'temporal-file': file.service.pid,
    'temporal-memory': memory.service.pid,
    'api-start': apiStart.service.pid,
    'api-execute': apiExecute.service.pid,
    'naive-express': naive.service.pid,
    'api-progress': apiProgress.service.pid,
  };
  for (const worker of workers) watch[worker.name] = worker.pid;
  if ('server' in restate) {
    watch['restate-server'] = restate.server.pid;
    watch['restate-greeter'] = restate.greeter.pid;
  }
  return { cli, file, memory, apiStart, apiExecute, naive, apiProgress, callCounter, restate, watch };
}
