import { parseArgs } from 'node:util';
import { ALL_SETTINGS_VARIANTS } from './dev-settings';

/** How long and how hard each measurement runs; `quick` is the smoke run, `full` the published one. */
export interface BenchSettings {
  mode: 'quick' | 'full';
  /** Each variant runs this many times, interleaved with the others (A B C, B C A, ...), to cancel drift. */
  reps: number;
  warmupMs: number;
  durationMs: number;
  /** Closed-loop callers for start throughput (B1, B2, B5). */
  startConcurrency: number;
  /** Closed-loop callers for execute throughput (B9, in-memory comparison). */
  executeConcurrency: number;
  /** Closed-loop callers for worker scaling (B6): enough to keep two replicas busy. */
  scaleConcurrency: number;
  /** Open-loop rate as a fraction of the direct client's closed-loop throughput (B3 start latency). */
  openLoopFraction: number;
  /** Open-loop executes per second for B4, B9, B10, B11 and the dev-server settings: the 13/s. */
  executeOpenRate: number;
  /** Worker-bound workloads (B14): closed-loop callers, the I/O activity's wait, each replica's activity slots. */
  workConcurrency: number;
  /** Their window: a 1-replica run must finish several workflows in it even on a busy machine. */
  workDurationMs: number;
  workIoMs: number;
  workIoSlots: number;
  /** PBKDF2 rounds of the CPU-bound activity (about 15–20 ms of one core here). */
  workCpuIterations: number;
  /** Dev-server settings comparison: the variants run, and each load's window (one repetition: the effects are large). */
  settingsVariants: readonly string[];
  settingsDurationMs: number;
  /** Executes timed step by step from their histories, per timeline. */
  timelineCount: number;
  /** Subscribers of one workflow's progress stream in B12's second window. */
  progressSubscribers: number;
  /** Worker start-ups per variant (B7). */
  readyReps: number;
  /** Workflows held in the cache to measure memory per cached workflow (B8). */
  cachedWorkflows: number;
  /** B16: the quiet tenant's executes per second, how many it sends alone first, the noisy tenant's flood of starts
   * (and how many it keeps in flight), and the window of one busy tenant alone (what fairness costs). */
  fairnessQuietRatePerSec: number;
  fairnessAloneCount: number;
  fairnessFloodStarts: number;
  fairnessFloodConcurrency: number;
  fairnessOneTenantMs: number;
}

export const PROFILES: Record<BenchSettings['mode'], BenchSettings> = {
  quick: {
    mode: 'quick',
    reps: 1,
    warmupMs: 300,
    durationMs: 1200,
    startConcurrency: 8,
    executeConcurrency: 4,
    scaleConcurrency: 8,
    openLoopFraction: 0.25,
    executeOpenRate: 13,
    workConcurrency: 4,
    workDurationMs: 4000,
    workIoMs: 200,
    workIoSlots: 2,
    workCpuIterations: 60_000,
    settingsVariants: ['defaults', 'ours'],
    settingsDurationMs: 1200,
    timelineCount: 2,
    progressSubscribers: 10,
    readyReps: 1,
    cachedWorkflows: 40,
    fairnessQuietRatePerSec: 2,
    fairnessAloneCount: 4,
    fairnessFloodStarts: 60,
    fairnessFloodConcurrency: 8,
    fairnessOneTenantMs: 1500,
  },
  full: {
    mode: 'full',
    reps: 3,
    warmupMs: 2000,
    durationMs: 8000,
    startConcurrency: 32,
    executeConcurrency: 16,
    scaleConcurrency: 64,
    openLoopFraction: 0.25,
    executeOpenRate: 13,
    workConcurrency: 24,
    workDurationMs: 8000,
    workIoMs: 500,
    workIoSlots: 2,
    workCpuIterations: 60_000,
    settingsVariants: ALL_SETTINGS_VARIANTS,
    settingsDurationMs: 6000,
    timelineCount: 5,
    progressSubscribers: 100,
    readyReps: 3,
    cachedWorkflows: 500,
    fairnessQuietRatePerSec: 2,
    fairnessAloneCount: 30,
    fairnessFloodStarts: 1000,
    fairnessFloodConcurrency: 32,
    fairnessOneTenantMs: 8000,
  },
};

export interface RunOptions {
  settings: BenchSettings;
  /** Where the run writes result.json, result.md, chart.svg and its processes' logs. */
  outDir?: string;
  /** Also rewrite docs/benchmarks.md (and its .json, .svg): the default for a full run. */
  writeDocs: boolean;
  /** Write V8 CPU profiles of the API processes into the run's folder. */
  profile: boolean;
  /** Measure nothing: recompute the table, reasons and chart from a saved result.json. */
  render?: string;
}

export const USAGE = `usage: npm run bench [-- --quick] [--reps N] [--out DIR] [--docs|--no-docs] [--profile]
  --quick     smoke run: about a second per measure, tiny counts; writes bench/results/ only
  --reps N    repetitions of each variant (full: 3)
  --out DIR   where to write result.json, result.md, chart.svg and logs (default bench/results/<time>)
  --docs      rewrite docs/benchmarks.md, .json and .svg (default for a full run)
  --profile   write CPU profiles of the API processes (node --cpu-prof) into the run's folder
  --render F  measure nothing: rebuild result.md, chart.svg (and with --docs the docs) from a saved result.json F`;

export function parseRunOptions(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      reps: { type: 'string' },
      out: { type: 'string' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      render: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const settings = { ...PROFILES[values.quick ? 'quick' : 'full'] };
  if (values.reps !== undefined) {
    const reps = Number(values.reps);
    if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a whole number ≥ 1, not ${values.reps}`);
    settings.reps = reps;
  }
  const writeDocs = values['no-docs'] ? false : (values.docs ?? settings.mode === 'full');
  return { settings, outDir: values.out, writeDocs, profile: values.profile, render: values.render };
}
