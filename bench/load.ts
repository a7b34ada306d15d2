import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLatencyHistogram, recordMs, summarize, type LatencySummary } from './histogram';

/** One request against the system under test; it throws when the answer is wrong. */
export type Send = () => Promise<void>;

/** Closed loop: a fixed number of callers, each sending again as soon as it has its answer. */
export interface ClosedLoop {
  kind: 'closed';
  concurrency: number;
}

/** Open loop: requests at a fixed rate whatever the answers do; latency counts from when a request was due. */
export interface OpenLoop {
  kind: 'open';
  ratePerSec: number;
  /** Past this many outstanding requests the generator drops sends (counted as errors) instead of queueing. */
  maxInFlight: number;
}

export type LoadShape = (ClosedLoop | OpenLoop) & { warmupMs: number; durationMs: number };

export interface LoadResult {
  completed: number;
  errors: number;
  firstError?: string;
  windowMs: number;
  /** Answers per second inside the measurement window. */
  throughput: number;
  latency: LatencySummary;
  /** CPU the load generator itself used during the window, in cores (1 = one core busy). */
  driverCores: number;
}

export interface WindowHooks {
  onWindowStart?(): void;
  onWindowEnd?(): void;
}

interface Tally {
  completed: number;
  errors: number;
  firstError?: string;
}

/** Drives `send` with the given shape; only requests due inside the window after warm-up are counted. */
export async function runLoad(send: Send, shape: LoadShape, hooks: WindowHooks = {}): Promise<LoadResult> {
  const histogram = createLatencyHistogram();
  const tally: Tally = { completed: 0, errors: 0 };
  const begin = performance.now();
  const windowStart = begin + shape.warmupMs;
  const windowEnd = windowStart + shape.durationMs;
  let cpuAtStart = process.cpuUsage();
  let cpuInWindow: NodeJS.CpuUsage | undefined;
  // Timers mark the window's edges for the CPU samplers; a busy event loop may fire them late, never skip them.
  const startWindow = (): void => {
    cpuAtStart = process.cpuUsage();
    hooks.onWindowStart?.();
  };
  const endWindow = (): void => {
    if (cpuInWindow) return;
    cpuInWindow = process.cpuUsage(cpuAtStart);
    hooks.onWindowEnd?.();
  };
  const startTimer = setTimeout(startWindow, shape.warmupMs);
  const endTimer = setTimeout(endWindow, shape.warmupMs + shape.durationMs);

  // A request counts when it was due inside the window; its latency runs from when it was due to its answer.
  const measure = async (due: number): Promise<void> => {
    const counted = due >= windowStart && due < windowEnd;
    try {
      await send();
      if (!counted) return;
      recordMs(histogram, performance.now() - due);
      tally.completed += 1;
    } catch (error) {
      if (!counted) return;
      tally.errors += 1;
      tally.firstError ??= error instanceof Error ? error.message : String(error);
    }
  };

  if (shape.kind === 'closed') {
    const caller = async (): Promise<void> => {
      while (performance.now() < windowEnd) await measure(performance.now());
    };
    await Promise.all(Array.from({ length: shape.concurrency }, caller));
  } else {
    await openLoop(shape, begin, windowEnd, measure, tally, windowStart);
  }
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  endWindow();
  const cpu = cpuInWindow ?? { user: 0, system: 0 };
  const cores = (cpu.user + cpu.system) / 1000 / shape.durationMs;
  return {
    ...tally,
    windowMs: shape.durationMs,
    throughput: tally.completed / (shape.durationMs / 1000),
    latency: summarize(histogram),
    driverCores: Math.round(cores * 1000) / 1000,
  };
}

async function openLoop(
  shape: OpenLoop,
  begin: number,
  windowEnd: number,
  measure: (due: number) => Promise<void>,
  tally: Tally,
  windowStart: number,
): Promise<void> {
  const interval = 1000 / shape.ratePerSec;
  const pending = new Set<Promise<void>>();
  let sent = 0;
  for (;;) {
    const now = performance.now();
    for (let due = begin + sent * interval; due <= now && due < windowEnd; due = begin + sent * interval) {
      sent += 1;
      if (pending.size >= shape.maxInFlight) {
        if (due >= windowStart) {
          tally.errors += 1;
          tally.firstError ??= `open loop overloaded: ${shape.maxInFlight} requests outstanding`;
        }
        continue;
      }
      const request = measure(due).finally(() => pending.delete(request));
      pending.add(request);
    }
    if (begin + sent * interval >= windowEnd) break;
    await sleep(Math.max(0, Math.min(5, begin + sent * interval - performance.now())));
  }
  await Promise.all(pending);
}
