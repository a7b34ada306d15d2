import type { DriverJob, DriverMessage } from './driver';
import { forkBenchEntry } from './entry';
import type { LoadResult } from './load';
import { childEnv } from './processes';
import { coresBetween, cpuSnapshot, type CpuSnapshot } from './proc-stats';

const DRIVER_GRACE_MS = 60_000;

/** One load measurement: the driver's figures plus the cores each watched process used during its window. */
export interface Sample extends LoadResult {
  cores: Record<string, number>;
}

/** Runs one load job in a fresh driver process, sampling the CPU of `watch` (name → pid) over the window. */
export async function runDriver(job: DriverJob, watch: Record<string, number>): Promise<Sample> {
  const child = forkBenchEntry('driver', [], childEnv({}));
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const pids = { ...watch, driver: child.pid ?? 0 };
  let start: CpuSnapshot | undefined;
  let cores: Record<string, number> = {};
  return new Promise<Sample>((resolve, reject) => {
    let settled = false;
    child.on('message', (message: DriverMessage) => {
      if (message.event === 'window-start') start = cpuSnapshot(pids);
      else if (message.event === 'window-end' && start) cores = coresBetween(start, cpuSnapshot(pids));
      else if (message.event === 'result') {
        settled = true;
        resolve({ ...message.result, cores });
      } else if (message.event === 'failed') {
        settled = true;
        reject(new Error(`load driver failed: ${message.error}`));
      }
    });
    // A driver that has not answered well past its window is stuck: stop it rather than wait forever.
    const limitMs = job.shape.warmupMs + job.shape.durationMs + DRIVER_GRACE_MS;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      if (!settled) reject(new Error(`load driver gave no result within ${limitMs} ms`));
      settled = true;
    }, limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`load driver exited (${code}): ${Buffer.concat(stderr).toString().slice(-500)}`));
    });
    child.send(job);
  });
}
