import { startProcess, type ManagedProcess } from '../../scripts/processes';

export { freePort } from '../../scripts/processes';

/** A child process under test, with everything it printed (stdout and stderr, interleaved). */
export type RunningProcess = ManagedProcess;

/**
 * Spawns `node <args>` with exactly `env` (nothing inherited: the test decides the whole configuration).
 * Call stop() in after(), so that a failing test leaves no process behind.
 */
export function spawnNode(name: string, args: string[], env: Record<string, string>): RunningProcess {
  return spawnProcess(name, process.execPath, args, env);
}

/** Spawns any executable (the temporal CLI, for the fault tests) the way spawnNode spawns node. */
export function spawnProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): RunningProcess {
  return startProcess(name, command, args, { env });
}

/** The port an API process bound, from its "api listening" line: start it with PORT=0 and read this. */
export function listeningPort(line: string): number {
  const { url } = JSON.parse(line) as { url: string };
  return Number(new URL(url).port);
}

/** The metrics port an API process bound, from its "api listening" line: start it with API_METRICS_PORT=0. */
export function apiMetricsPort(line: string): number {
  const { metrics } = JSON.parse(line) as { metrics: string };
  return Number(new URL(metrics).port);
}

/** The port a worker's probes and metrics bound, from its "worker starting" or "worker polling" line (WORKER_METRICS_PORT=0). */
export function workerMetricsPort(line: string): number {
  const { metricsPort } = JSON.parse(line) as { metricsPort?: number };
  if (metricsPort === undefined) throw new Error(`no metricsPort in ${line}`);
  return metricsPort;
}
