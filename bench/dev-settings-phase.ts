// "Dev-server settings": the embedded server with and without each setting of scripts/temporal-dev-server.ts, side
// by side in one run, each variant an in-memory dev server of its own with the service's worker and the benchmark's.
// Per variant, at the same open-loop rate: a direct execute of YourWorkflow (transfer queue, eager activities,
// partitions; the server's CPU per workflow), a 100 ms durable timer (timer queue) and a start followed by list
// queries until the run shows (visibility queue). Timelines of one REST execute come from `defaults` and `ours`.
import { omittedSettings } from './dev-settings';
import { QUEUES, type BenchEnvironment } from './environment';
import { executeTarget, interleave, openShape, type PhaseRun } from './phases';
import type { ProcessGroup, Service } from './processes';
import { runDriver, type Sample } from './run-driver';
import { startApi, startTemporal, startWorker, startWorkloadWorker, type TemporalServer } from './services';
import type { BenchSettings } from './settings';
import { primeQueue } from './prime';
import { GREETING, type TemporalTarget } from './targets';
import { measureTimeline, type Timeline } from './timeline';

export const TIMER_MS = 100;
/** Variants whose REST execute is timed step by step ("before" and "after" the settings). */
const TIMELINE_VARIANTS = ['defaults', 'ours'];

export interface DevSettingsResult {
  /** variant → the dynamic-config keys it left out. */
  variants: Record<string, readonly string[]>;
  timelines: Timeline[];
}

interface Variant {
  name: string;
  server: TemporalServer;
  processes: Service[];
  api?: { service: Service; url: string };
}

async function startVariant(
  env: BenchEnvironment,
  group: ProcessGroup,
  name: string,
  bundle: string,
  settings: BenchSettings,
): Promise<Variant> {
  const server = await startTemporal(group, `temporal-${name}`, env.cli, { kind: 'memory' }, omittedSettings(name));
  const [worker, workload, api] = await Promise.all([
    startWorker(group, `worker-${name}`, server.address, QUEUES.execute),
    startWorkloadWorker(group, `work-${name}`, server.address, QUEUES.timer, bundle, settings.workIoSlots),
    TIMELINE_VARIANTS.includes(name) ? startApi(group, `api-${name}`, server.address, QUEUES.execute) : undefined,
  ]);
  await Promise.all([
    primeQueue(server.address, QUEUES.execute, GREETING, 4),
    primeQueue(server.address, QUEUES.timer, { type: 'BenchTimer', args: [1], result: 'fired' }, 4),
  ]);
  return { name, server, processes: [worker, workload, ...(api ? [api.service] : []), server.service], api };
}

export async function devSettingsPhase(phase: PhaseRun, bundle: string): Promise<DevSettingsResult> {
  const { env, group, settings, log } = phase;
  const variants: Variant[] = [];
  try {
    for (const name of settings.settingsVariants) variants.push(await startVariant(env, group, name, bundle, settings));
    const watch: Record<string, number> = {};
    for (const variant of variants) {
      for (const process of variant.processes) watch[process.name] = process.pid;
      // By the variant's name even when its server needed a second attempt (report.ts looks it up so).
      watch[`temporal-${variant.name}`] = variant.server.service.pid;
    }
    const shape = openShape(settings.executeOpenRate, { ...settings, durationMs: settings.settingsDurationMs });
    const job = (target: TemporalTarget) => (): Promise<Sample> => runDriver({ target, shape }, watch);
    const probes: Record<string, (variant: Variant) => TemporalTarget> = {
      execute: (v) => executeTarget(v.server.address, QUEUES.execute),
      timer: (v) => ({
        ...executeTarget(v.server.address, QUEUES.timer),
        workflow: { type: 'BenchTimer', args: [TIMER_MS], result: 'fired' },
      }),
      visibility: (v) => ({ ...executeTarget(v.server.address, QUEUES.execute), kind: 'temporal-visibility' }),
    };
    for (const [probe, target] of Object.entries(probes)) {
      const jobs = Object.fromEntries(variants.map((v) => [`settings.${v.name}.${probe}`, job(target(v))]));
      await interleave(jobs, phase, 1);
    }
    const timelines: Timeline[] = [];
    for (const variant of variants) {
      if (!variant.api) continue;
      const background = executeTarget(variant.server.address, QUEUES.execute);
      const timeline = await measureTimeline(
        variant.name,
        variant.api.url,
        background,
        settings.executeOpenRate,
        settings.timelineCount,
        watch,
      );
      timelines.push(timeline);
      log(
        `timeline.${variant.name.padEnd(17)} ${timeline.totalMs} ms: ` +
          timeline.steps.map((step) => `${step.step} ${step.ms}`).join(', '),
      );
    }
    return {
      variants: Object.fromEntries(variants.map((v) => [v.name, omittedSettings(v.name)])),
      timelines,
    };
  } finally {
    for (const variant of variants.reverse()) for (const process of variant.processes) await group.stop(process);
  }
}
