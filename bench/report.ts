import type { MachineInfo } from './machine';
import type { Measure } from './measures';
import { TIMER_MS, type DevSettingsResult } from './dev-settings-phase';
import type { FairnessResult } from './fairness-phase';
import type { MemoryResult, ReadySample, Samples } from './phases';
import type { ProgressResult } from './progress';
import type { BenchSettings } from './settings';
import { round, spreadOf } from './stats';

/** Everything one run measured, as written to result.json (and docs/benchmarks.json for a published run). */
export interface BenchResult {
  /** 2 added B10–B15, the progress and dev-server settings measurements and the timelines. */
  schema: 1 | 2;
  mode: BenchSettings['mode'];
  command: string;
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  versions: Record<string, string>;
  devServerFlags: { file: string[]; memory: string[] };
  restate: string;
  settings: BenchSettings;
  rates: { startOpenPerSec: number; executeOpenPerSec: number };
  noise: Noise;
  measures: Measure[];
  samples: Samples;
  ready: ReadySample[];
  memory: MemoryResult;
  progress?: ProgressResult;
  devSettings?: DevSettingsResult;
  fairness?: FairnessResult;
}

/** How loud the neighbours were: CPU busy on the machine beyond our own processes, and how far repetitions spread. */
export interface Noise {
  otherCoresMedian: number;
  otherCoresMax: number;
  /** Largest (max − min) ÷ median of throughput over a variant's repetitions. */
  worstThroughputSpread: number;
  worstVariant: string;
}

export function noiseOf(samples: Samples): Noise {
  const others: number[] = [];
  let worst = { spread: 0, variant: '' };
  for (const [variant, list] of Object.entries(samples)) {
    for (const sample of list) {
      const ours = Object.entries(sample.cores)
        .filter(([name]) => name !== 'machine')
        .reduce((sum, [, cores]) => sum + cores, 0);
      if (sample.cores.machine !== undefined) others.push(Math.max(0, sample.cores.machine - ours));
    }
    const spread = spreadOf(list.map((sample) => sample.throughput));
    const relative = list.length > 1 && spread.median > 0 ? (spread.max - spread.min) / spread.median : 0;
    if (relative > worst.spread) worst = { spread: relative, variant };
  }
  const otherSpread = spreadOf(others);
  return {
    otherCoresMedian: round(otherSpread.median, 2),
    otherCoresMax: round(otherSpread.max, 2),
    worstThroughputSpread: round(worst.spread, 2),
    worstVariant: worst.variant,
  };
}

const cell = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function targetText(measure: Measure): string {
  if (!measure.target) return 'reported';
  const value = measure.unit === 'ratio' ? measure.target.value.toFixed(2) : `${measure.target.value} ${measure.unit}`;
  return `${measure.target.op === '>=' ? '≥' : '≤'} ${value}`;
}

function metText(measure: Measure): string {
  return measure.met === null ? '—' : measure.met ? '✅ met' : '❌ missed';
}

/** The generated part of docs/benchmarks.md (and result.md): run, machine, versions, table, reasons, raw figures. */
export function renderMarkdown(result: BenchResult, chartPath: string): string {
  const { machine, settings, noise } = result;
  const lines: string[] = [];
  const reps = settings.reps;
  lines.push(
    `Run of ${result.startedAt} (\`${result.command}\`, ${result.mode} mode, ${Math.round(result.durationS)} s): ` +
      `${reps} interleaved repetition${reps > 1 ? 's' : ''} of ${settings.durationMs / 1000} s per variant after ` +
      `${settings.warmupMs / 1000} s of warm-up.`,
    '',
    '### Machine and versions',
    '',
    `- Machine: ${machine.nproc} cores (\`nproc\`), ${machine.memoryGiB} GiB memory, ${machine.cpuModel}, Linux ${machine.kernel}; ` +
      `load average at start ${machine.loadAverageAtStart.join(' / ')}.`,
    `- Noise: other tenants kept a median of ${noise.otherCoresMedian} cores (max ${noise.otherCoresMax}) busy during the ` +
      `measurement windows; the widest repetition spread was ${Math.round(noise.worstThroughputSpread * 100)}% of the median ` +
      `(${noise.worstVariant || 'n/a'}).`,
    ...Object.entries(result.versions).map(([name, version]) => `- ${name}: ${version}`),
    `- Dev server, file-backed: \`temporal server start-dev ${result.devServerFlags.file.join(' ')}\` ` +
      `(the SQLite pragmas of Temporal's SDK stress tests)`,
    `- Dev server, in memory: \`temporal server start-dev ${result.devServerFlags.memory.join(' ')}\``,
    `- Restate: ${result.restate}`,
    `- Load: closed loop at ${settings.startConcurrency} callers (starts), ${settings.executeConcurrency} (execute), ` +
      `${settings.scaleConcurrency} (worker scaling); open loop at ${result.rates.startOpenPerSec} starts/s and ` +
      `${result.rates.executeOpenPerSec} executes/s (${settings.openLoopFraction * 100}% of the direct client's ` +
      `closed-loop throughput). Each load runs in its own process.`,
    '',
    '### Results',
    '',
    `| Measure | What | Value | Spread (min–max) | Target | |`,
    `| --- | --- | ---: | ---: | ---: | --- |`,
  );
  for (const m of result.measures) {
    const spread = m.spread.values.length > 1 ? `${cell(m.spread.min)}–${cell(m.spread.max)}` : '—';
    lines.push(
      `| ${m.id} | ${m.title} | ${cell(m.value)}${m.unit === 'ratio' ? '' : ` ${m.unit}`} | ${spread} | ${targetText(m)} | ${metText(m)} |`,
    );
  }
  lines.push('', `![Ratios against targets](${chartPath})`, '', '### Why, measure by measure', '');
  for (const m of result.measures) lines.push(`- **${m.id}.** ${m.why}`);
  lines.push(
    '',
    '### Raw figures (median over repetitions)',
    '',
    '| Variant | Throughput /s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | Errors | Temporal server cores | Machine cores |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [variant, list] of Object.entries(result.samples)) {
    const med = (pick: (s: (typeof list)[number]) => number): number => spreadOf(list.map(pick)).median;
    const settingsVariant = /^settings\.([^.]+)\./.exec(variant)?.[1];
    const server = settingsVariant
      ? `temporal-${settingsVariant}`
      : variant.includes('memory')
        ? 'temporal-memory'
        : 'temporal-file';
    lines.push(
      `| ${variant} | ${cell(
        med((s) => s.throughput),
        1,
      )} | ${cell(med((s) => s.latency.p50))} | ` +
        `${cell(med((s) => s.latency.p90))} | ${cell(med((s) => s.latency.p99))} | ` +
        `${cell(med((s) => s.latency.p999 ?? Number.NaN))} | ${cell(Math.max(...list.map((s) => s.latency.max)))} | ` +
        `${list.reduce((n, s) => n + s.errors, 0)} | ` +
        `${cell(med((s) => s.cores[server] ?? Number.NaN))} | ${cell(med((s) => s.cores.machine ?? Number.NaN))} |`,
    );
  }
  lines.push(...devSettingsTable(result), ...timelineTable(result), ...progressTable(result.progress));
  lines.push(
    '',
    `Worker start-up (B7), spawn to polling: ${result.ready
      .map((r) => `${r.mode} ${Math.round(r.spawnToReadyMs)} ms`)
      .join(', ')}. Memory (B8): ${result.memory.workflows} cached workflows, RSS ` +
      `${(result.memory.before.rssBytes / 1048576).toFixed(0)} → ${(result.memory.after.rssBytes / 1048576).toFixed(0)} MiB, ` +
      `heap ${(result.memory.before.heapUsedBytes / 1048576).toFixed(0)} → ${(result.memory.after.heapUsedBytes / 1048576).toFixed(0)} MiB.`,
  );
  return `${lines.join('\n')}\n`;
}

/** The dev-server settings side by side: one column per variant. */
function devSettingsTable(result: BenchResult): string[] {
  const variants = Object.keys(result.devSettings?.variants ?? {});
  if (variants.length === 0) return [];
  const median = (variant: string, probe: string, pick: (s: Samples[string][number]) => number): number =>
    spreadOf((result.samples[`settings.${variant}.${probe}`] ?? []).map(pick)).median;
  const row = (label: string, pick: (variant: string) => number, digits = 1): string =>
    `| ${label} | ${variants.map((v) => cell(pick(v), digits)).join(' | ')} |`;
  const omitted = (variant: string): string => {
    const keys = result.devSettings?.variants[variant] ?? [];
    return keys.length === 0 ? 'none' : keys.length > 2 ? 'all' : keys.map((k) => `\`${k}\``).join(', ');
  };
  return [
    '',
    '### Dev-server settings, side by side',
    '',
    `Each column is an in-memory dev server of its own, at the same open-loop rate; \`ours\` has every setting of ` +
      `scripts/temporal-dev-server.ts, \`defaults\` none, \`without-X\` all but X.`,
    '',
    `| | ${variants.join(' | ')} |`,
    `| --- | ${variants.map(() => '---:').join(' | ')} |`,
    `| settings left out | ${variants.map(omitted).join(' | ')} |`,
    row('execute p50 ms', (v) => median(v, 'execute', (s) => s.latency.p50)),
    row('execute p99 ms', (v) => median(v, 'execute', (s) => s.latency.p99)),
    row(`${TIMER_MS} ms timer workflow p50 ms`, (v) => median(v, 'timer', (s) => s.latency.p50)),
    row('start until listed p50 ms', (v) => median(v, 'visibility', (s) => s.latency.p50)),
    row('server CPU ms per workflow', (v) =>
      median(v, 'execute', (s) => ((s.cores[`temporal-${v}`] ?? Number.NaN) * 1000) / s.throughput),
    ),
  ];
}

/** Timelines of one REST execute, step by step, per server variant ("before" = defaults, "after" = ours). */
function timelineTable(result: BenchResult): string[] {
  const timelines = result.devSettings?.timelines ?? [];
  const first = timelines[0];
  if (!first) return [];
  return [
    '',
    '### One execute, step by step (from history timestamps)',
    '',
    `Median of ${first.count} REST executes per column, taken while direct executes ran at ${first.backgroundPerSec}/s ` +
      'on the same server (its queue limiters only bite under load).',
    '',
    `| Step | ${timelines.map((t) => `${t.variant} ms`).join(' | ')} |`,
    `| --- | ${timelines.map(() => '---:').join(' | ')} |`,
    ...first.steps.map(
      (step, index) =>
        `| ${step.step} | ${timelines.map((t) => cell(t.steps[index]?.ms ?? Number.NaN, 1)).join(' | ')} |`,
    ),
    `| **total** | ${timelines.map((t) => `**${cell(t.totalMs, 1)}**`).join(' | ')} |`,
  ];
}

function progressTable(progress: ProgressResult | undefined): string[] {
  if (!progress) return [];
  return [
    '',
    '### Progress streams',
    '',
    `One order awaiting approval, its history changed ${progress.changesPerSec} times a second (address updates); ` +
      `${progress.idleCallsPerSec} Temporal calls/s with no subscriber.`,
    '',
    '| Subscribers | Temporal calls/s | Events each | Delay p50 ms | Delay max ms |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...progress.windows.map((w) => {
      const delays = spreadOf(w.delaysMs);
      return `| ${w.subscribers} | ${cell(w.callsPerSec, 1)} | ${w.eventsPerSubscriber} | ${cell(delays.median, 1)} | ${cell(delays.max, 1)} |`;
    }),
  ];
}

export const DOCS_BEGIN = '<!-- bench:begin (generated by npm run bench; edit outside these markers) -->';
export const DOCS_END = '<!-- bench:end -->';

/** Replaces the generated block of docs/benchmarks.md, keeping the hand-written text around it. */
export function replaceGeneratedBlock(document: string, block: string): string {
  const begin = document.indexOf(DOCS_BEGIN);
  const end = document.indexOf(DOCS_END);
  if (begin < 0 || end < begin) return `${document.trimEnd()}\n\n${DOCS_BEGIN}\n${block}${DOCS_END}\n`;
  return `${document.slice(0, begin)}${DOCS_BEGIN}\n${block}${DOCS_END}${document.slice(end + DOCS_END.length)}`;
}
