import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { forkBenchEntry, REPO_ROOT, benchEntryArgs } from './entry';
import { QUEUES, type BenchEnvironment } from './environment';
import type { LoadShape } from './load';
import type { MemoryStats, MemoryWorkerMessage } from './memory-worker';
import { childEnv, type ProcessGroup } from './processes';
import { runDriver, type Sample } from './run-driver';
import type { BenchSettings } from './settings';
import { median } from './stats';
import { primeQueue } from './prime';
import { GREETING, GREETING_INPUT, GREETING_OUTPUT, type Target, type TemporalTarget } from './targets';

export type Samples = Record<string, Sample[]>;
export type Log = (line: string) => void;

/** What every phase of a run is handed: its services, its process group, the settings, where samples go, the log. */
export interface PhaseRun {
  env: BenchEnvironment;
  group: ProcessGroup;
  settings: BenchSettings;
  samples: Samples;
  log: Log;
}

/** Runs every variant `reps` times, rotating the order each time (A B C, B C A, C A B) so drift hits all alike. */
export async function interleave(
  variants: Record<string, () => Promise<Sample>>,
  { settings, samples, log }: Pick<PhaseRun, 'settings' | 'samples' | 'log'>,
  reps = settings.reps,
): Promise<void> {
  const names = Object.keys(variants);
  for (let rep = 0; rep < reps; rep += 1) {
    const order = [...names.slice(rep % names.length), ...names.slice(0, rep % names.length)];
    for (const name of order) {
      const sample = await (variants[name] as () => Promise<Sample>)();
      (samples[name] ??= []).push(sample);
      const errors = sample.errors > 0 ? `, ${sample.errors} errors (${sample.firstError})` : '';
      log(
        `${name.padEnd(24)} rep ${rep + 1}/${reps}: ${sample.throughput.toFixed(1)}/s, ` +
          `p50 ${sample.latency.p50} ms, p99 ${sample.latency.p99} ms, machine ${sample.cores.machine ?? '?'} cores${errors}`,
      );
    }
  }
}

const startTarget = (address: string): Target => ({
  kind: 'temporal-start',
  address,
  namespace: 'default',
  taskQueue: QUEUES.start,
});
export const executeTarget = (address: string, taskQueue: string): TemporalTarget => ({
  kind: 'temporal-execute',
  address,
  namespace: 'default',
  taskQueue,
});
export const http = (url: string, body: unknown, path: string[], equals?: unknown): Target => ({
  kind: 'http',
  url,
  body,
  expect: { path, equals },
});

/** The start path (B1, B2, B3, B5, storage): closed loop at fixed concurrency, then open loop at a fixed rate. */
export async function startPhase(phase: PhaseRun): Promise<number> {
  const { env, settings } = phase;
  const closed: LoadShape = { kind: 'closed', concurrency: settings.startConcurrency, ...windowOf(settings) };
  const run = (target: Target, shape: LoadShape) => (): Promise<Sample> => runDriver({ target, shape }, env.watch);
  const body = { input: GREETING_INPUT };
  const rest = http(`${env.apiStart.url}/api/workflows/YourWorkflow`, body, ['runId']);
  const direct = startTarget(env.file.address);
  await interleave(
    {
      'start.direct': run(direct, closed),
      'start.rest': run(rest, closed),
      'start.trpc': run(
        http(`${env.apiStart.url}/trpc/workflows.YourWorkflow.start`, body, ['result', 'data', 'runId']),
        closed,
      ),
      'start.naive': run(http(`${env.naive.url}/start`, body, ['runId']), closed),
      'start.direct-memory': run(startTarget(env.memory.address), closed),
    },
    phase,
  );
  const rate = openRate(phase.samples['start.direct'], settings);
  const open = openShape(rate, settings);
  await interleave({ 'start-open.direct': run(direct, open), 'start-open.rest': run(rest, open) }, phase);
  return rate;
}

/** HTTP-to-result (B4, B9, B10, B11, B15, storage): closed loop for throughput, then an open loop for latency. */
export async function executePhase(phase: PhaseRun): Promise<number> {
  const { env, settings } = phase;
  const closed: LoadShape = { kind: 'closed', concurrency: settings.executeConcurrency, ...windowOf(settings) };
  const run = (target: Target, shape: LoadShape) => (): Promise<Sample> => runDriver({ target, shape }, env.watch);
  const direct = executeTarget(env.file.address, QUEUES.execute);
  const rest = http(
    `${env.apiExecute.url}/api/workflows/YourWorkflow/execute`,
    { input: GREETING_INPUT },
    ['result'],
    GREETING_OUTPUT,
  );
  await primeQueue(env.file.address, QUEUES.execute, GREETING, 4);
  await primeQueue(env.memory.address, QUEUES.execute, GREETING, 4);
  const restate =
    'greetUrl' in env.restate ? http(env.restate.greetUrl, GREETING_INPUT, [], GREETING_OUTPUT) : undefined;
  await interleave(
    {
      'execute.direct': run(direct, closed),
      'execute.rest': run(rest, closed),
      ...(restate ? { 'execute.restate': run(restate, closed) } : {}),
      'execute.naive': run(
        http(`${env.naive.url}/execute`, { input: GREETING_INPUT }, ['result'], GREETING_OUTPUT),
        closed,
      ),
      'execute.direct-memory': run(executeTarget(env.memory.address, QUEUES.execute), closed),
    },
    phase,
  );
  // A fixed rate (the 13/s), so B4, B9, B10 and B11 compare like with like from run to run.
  const rate = settings.executeOpenRate;
  const open = openShape(rate, settings);
  await interleave(
    {
      'execute-open.direct': run(direct, open),
      'execute-open.rest': run(rest, open),
      ...(restate ? { 'execute-open.restate': run(restate, open) } : {}),
    },
    phase,
  );
  return rate;
}

/** B6: workflows completed per second with one worker replica, then two, on their own task queues. */
export async function scalePhase(phase: PhaseRun): Promise<void> {
  const { env, settings } = phase;
  const closed: LoadShape = { kind: 'closed', concurrency: settings.scaleConcurrency, ...windowOf(settings) };
  const run = (target: Target) => (): Promise<Sample> => runDriver({ target, shape: closed }, env.watch);
  await primeQueue(env.file.address, QUEUES.scaleOne, GREETING, 4);
  await primeQueue(env.file.address, QUEUES.scaleTwo, GREETING, 8);
  await interleave(
    {
      'scale.1-worker': run(executeTarget(env.file.address, QUEUES.scaleOne)),
      'scale.2-workers': run(executeTarget(env.file.address, QUEUES.scaleTwo)),
    },
    phase,
  );
}

export function windowOf(settings: BenchSettings): { warmupMs: number; durationMs: number } {
  return { warmupMs: settings.warmupMs, durationMs: settings.durationMs };
}

/** A rate the direct client sustains easily (a fraction of its closed-loop throughput), so latency is not queueing. */
function openRate(direct: Sample[] | undefined, settings: BenchSettings): number {
  const throughput = median((direct ?? []).map((sample) => sample.throughput));
  return Math.max(2, Math.round((Number.isFinite(throughput) ? throughput : 8) * settings.openLoopFraction));
}

export function openShape(ratePerSec: number, settings: BenchSettings): LoadShape {
  return { kind: 'open', ratePerSec, maxInFlight: 512, ...windowOf(settings) };
}

export interface ReadySample {
  mode: 'bundle' | 'sources';
  /** From spawning the process until the worker polls: what an operator waits for on a rollout. */
  spawnToReadyMs: number;
  /** Of which Worker.create (bundle load or webpack build) and connecting. */
  createMs: number;
}

/** B7: worker start-up with the prebuilt bundle vs workflowsPath, alternating. */
export async function readyPhase({ env, group, settings, log }: PhaseRun): Promise<ReadySample[]> {
  const bundle = join(REPO_ROOT, 'dist', 'workflow-bundle.js');
  const results: ReadySample[] = [];
  for (let rep = 0; rep < settings.readyReps; rep += 1) {
    const modes = rep % 2 === 0 ? (['bundle', 'sources'] as const) : (['sources', 'bundle'] as const);
    for (const mode of modes) {
      const args = benchEntryArgs('worker-ready', [mode, env.file.address, QUEUES.ready, bundle]);
      const began = performance.now();
      const service = group.start(`worker-ready-${mode}-${rep + 1}`, process.execPath, args, childEnv({}));
      const line = await service.waitForLine(/"createMs"/, 180_000);
      const spawnToReadyMs = performance.now() - began;
      await group.stop(service, 10_000);
      const { createMs } = JSON.parse(line) as { createMs: number };
      results.push({ mode, spawnToReadyMs, createMs });
      log(`ready.${mode.padEnd(18)} rep ${rep + 1}/${settings.readyReps}: ${spawnToReadyMs.toFixed(0)} ms to polling`);
    }
  }
  return results;
}

export interface MemoryResult {
  workflows: number;
  before: MemoryStats;
  after: MemoryStats;
  rssPerWorkflowBytes: number;
  heapPerWorkflowBytes: number;
}

/** B8: RSS growth of a worker replica while it holds `cachedWorkflows` open workflows in its cache. */
export async function memoryPhase({ env, settings, log }: PhaseRun): Promise<MemoryResult> {
  const bundle = join(REPO_ROOT, 'dist', 'workflow-bundle.js');
  const warm = Math.min(20, settings.cachedWorkflows);
  const total = warm + settings.cachedWorkflows;
  const args = [env.file.address, QUEUES.memory, bundle, String(total + 10)];
  const child = forkBenchEntry('memory-worker', args, childEnv({}), ['--expose-gc']);
  const replies: MemoryWorkerMessage[] = [];
  const wake = new Set<() => void>();
  child.on('message', (message: MemoryWorkerMessage) => {
    replies.push(message);
    for (const fn of wake) fn();
  });
  const next = (event: MemoryWorkerMessage['event'], timeoutMs = 60_000): Promise<MemoryWorkerMessage> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`memory worker: no ${event} in ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        const index = replies.findIndex((reply) => reply.event === event);
        if (index < 0) return;
        const [reply] = replies.splice(index, 1);
        clearTimeout(timer);
        wake.delete(check);
        resolve(reply as MemoryWorkerMessage);
      };
      wake.add(check);
      check();
    });
  const statsNow = async (): Promise<MemoryStats> => {
    child.send('stats');
    const reply = await next('stats');
    if (reply.event !== 'stats') throw new Error('unexpected reply');
    return reply.stats;
  };
  const cachedAtLeast = async (count: number): Promise<MemoryStats> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const stats = await statsNow();
      if (stats.cachedWorkflows >= count) return stats;
      if (Date.now() > deadline) throw new Error(`memory worker cached ${stats.cachedWorkflows} of ${count} workflows`);
      await sleep(200);
    }
  };
  const connection = await Connection.connect({ address: env.file.address });
  try {
    await next('ready');
    const client = new Client({ connection });
    const startMany = async (count: number, prefix: string): Promise<void> => {
      let index = 0;
      const caller = async (): Promise<void> => {
        while (index < count) {
          const id = `${prefix}-${index++}`;
          await client.workflow.start('YourWorkflow', {
            taskQueue: QUEUES.memory,
            workflowId: id,
            args: [GREETING_INPUT],
          });
        }
      };
      await Promise.all(Array.from({ length: 8 }, caller));
    };
    const runId = Date.now().toString(36);
    // Warm-up workflows first, so the baseline already includes the sandbox's one-off costs.
    await startMany(warm, `memory-warm-${runId}`);
    await cachedAtLeast(warm);
    await sleep(500);
    const before = await statsNow();
    await startMany(settings.cachedWorkflows, `memory-${runId}`);
    await cachedAtLeast(total);
    await sleep(500);
    const after = await statsNow();
    const workflows = after.cachedWorkflows - before.cachedWorkflows;
    const result: MemoryResult = {
      workflows,
      before,
      after,
      rssPerWorkflowBytes: (after.rssBytes - before.rssBytes) / workflows,
      heapPerWorkflowBytes: (after.heapUsedBytes - before.heapUsedBytes) / workflows,
    };
    log(
      `memory: ${workflows} cached workflows, RSS +${((after.rssBytes - before.rssBytes) / 1048576).toFixed(1)} MiB ` +
        `(${(result.rssPerWorkflowBytes / 1024).toFixed(1)} KiB each)`,
    );
    return result;
  } finally {
    child.send('stop');
    await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await connection.close();
  }
}
