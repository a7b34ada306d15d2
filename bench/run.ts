// `npm run bench`: starts its own Temporal dev servers, workers, API and peer, measures B1–B16 side by side and
// writes result.json, result.md and chart.svg (and, for a full run, docs/benchmarks.md). `--quick` is the smoke run.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { renderChart } from './chart';
import { REPO_ROOT } from './entry';
import { devSettingsPhase } from './dev-settings-phase';
import { fairnessPhase } from './fairness-phase';
import { QUEUES, startEnvironment, type BenchEnvironment } from './environment';
import { machineInfo, versions } from './machine';
import { clusterPhase } from './cluster-phase';
import { computeMeasures } from './measures';
import {
  executePhase,
  memoryPhase,
  readyPhase,
  scalePhase,
  startPhase,
  type Log,
  type PhaseRun,
  type Samples,
} from './phases';
import { interruptibleGroup } from './interrupt';
import { progressPhase } from './progress';
import { noiseOf, renderMarkdown, replaceGeneratedBlock, type BenchResult } from './report';
import { bundleBenchWorkflows } from './services';
import { parseRunOptions, type RunOptions } from './settings';
import { workloadPhase } from './workload-phase';

export async function runBench(options: RunOptions, log: Log): Promise<{ result: BenchResult; outDir: string }> {
  const { settings } = options;
  const startedAt = new Date();
  const began = performance.now();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = options.outDir ?? join(REPO_ROOT, 'bench', 'results', `${settings.mode}-${stamp}`);
  mkdirSync(outDir, { recursive: true });
  const machine = machineInfo();
  const { group, release } = interruptibleGroup(join(outDir, 'logs'));
  let result: BenchResult;
  let env: BenchEnvironment | undefined;
  try {
    log(`starting dev servers, API, workers and Restate (logs in ${relative(process.cwd(), outDir)}/logs)`);
    env = await startEnvironment(group, outDir, { profile: options.profile });
    if ('error' in env.restate) log(`Restate did not start: ${env.restate.error}`);
    const samples: Samples = {};
    const run: PhaseRun = { env, group, settings, samples, log };
    const startOpenPerSec = await startPhase(run);
    const executeOpenPerSec = await executePhase(run);
    await scalePhase(run);
    await clusterPhase(run);
    const bundle = await bundleBenchWorkflows(join(outDir, 'bench-workflows.js'));
    await workloadPhase(run, bundle);
    const progress = await progressPhase(
      {
        apiUrl: env.apiProgress.url,
        calls: env.callCounter.calls,
        temporalAddress: env.file.address,
        taskQueue: QUEUES.execute,
      },
      settings,
      log,
    );
    const devSettings = await devSettingsPhase(run, bundle);
    const fairness = await fairnessPhase(group, env.cli, settings, log);
    const ready = await readyPhase(run);
    const memory = await memoryPhase(run);
    const measures = computeMeasures({
      samples,
      ready,
      memory,
      cores: machine.nproc,
      restateError: 'error' in env.restate ? env.restate.error : undefined,
      progress,
      devSettings,
      fairness,
    });
    result = {
      schema: 2,
      mode: settings.mode,
      command: settings.mode === 'quick' ? 'npm run bench:quick' : 'npm run bench',
      startedAt: startedAt.toISOString(),
      durationS: Math.round((performance.now() - began) / 1000),
      machine,
      versions: versions(env.cli, 'version' in env.restate ? env.restate.version : undefined),
      // The store's path is the run's own folder; the flags are what a reader needs to reproduce.
      devServerFlags: {
        file: env.file.flags.map((flag) => flag.replace(outDir, '<run-dir>')),
        memory: env.memory.flags,
      },
      restate:
        'version' in env.restate
          ? `${env.restate.version}, single node, default configuration (its own RocksDB storage), --listen-mode tcp`
          : `not run: ${env.restate.error}`,
      settings,
      rates: { startOpenPerSec, executeOpenPerSec },
      noise: noiseOf(samples),
      measures,
      samples,
      ready,
      memory,
      progress,
      devSettings,
      fairness,
    };
  } finally {
    await env?.callCounter.close();
    await group.stopAll();
    release();
    // The stores can reach hundreds of MB; the logs stay for a look afterwards.
    for (const store of ['temporal.sqlite', 'temporal.sqlite-wal', 'temporal.sqlite-shm', 'restate-data'])
      rmSync(join(outDir, store), { recursive: true, force: true });
  }
  writeResult(result, outDir, options.writeDocs);
  return { result, outDir };
}

/** Recomputes measures and pages from a saved run (e.g. after rewording a reason), without measuring again. */
export function renderSaved(path: string, options: RunOptions): { result: BenchResult; outDir: string } {
  const saved = JSON.parse(readFileSync(path, 'utf8')) as BenchResult;
  const measures = computeMeasures({
    samples: saved.samples,
    ready: saved.ready,
    memory: saved.memory,
    cores: saved.machine.nproc,
    restateError: saved.restate.startsWith('not run: ') ? saved.restate.slice('not run: '.length) : undefined,
    progress: saved.progress,
    devSettings: saved.devSettings,
    fairness: saved.fairness,
  });
  const result = { ...saved, measures };
  // Only where asked: rendering docs/benchmarks.json must not scatter result files into docs/.
  if (options.outDir) mkdirSync(options.outDir, { recursive: true });
  writeResult(result, options.outDir, options.writeDocs);
  return { result, outDir: options.outDir ?? dirname(path) };
}

function writeResult(result: BenchResult, outDir: string | undefined, writeDocs: boolean): void {
  const subtitle = `${result.machine.nproc} cores, ${result.versions.node}, ${result.startedAt.slice(0, 10)}; median of paired repetitions, whiskers min–max`;
  const chart = renderChart(result.measures, subtitle);
  if (outDir) {
    writeFileSync(join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(outDir, 'chart.svg'), chart);
    writeFileSync(join(outDir, 'result.md'), renderMarkdown(result, 'chart.svg'));
  }
  if (!writeDocs) return;
  const docs = join(REPO_ROOT, 'docs');
  mkdirSync(docs, { recursive: true });
  writeFileSync(join(docs, 'benchmarks.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(docs, 'benchmarks.svg'), chart);
  const page = join(docs, 'benchmarks.md');
  let document = '# Benchmarks\n';
  try {
    document = readFileSync(page, 'utf8');
  } catch {
    // First run: the page is created around the generated block.
  }
  writeFileSync(page, replaceGeneratedBlock(document, renderMarkdown(result, 'benchmarks.svg')));
}

function summary(result: BenchResult): string {
  return result.measures
    .map((m) => {
      const target = m.target ? ` (target ${m.target.op} ${m.target.value}: ${m.met ? 'met' : 'missed'})` : '';
      return `${m.id.padEnd(16)} ${Number.isFinite(m.value) ? m.value.toFixed(3) : 'n/a'}${m.unit === 'ratio' ? '' : ` ${m.unit}`}${target}`;
    })
    .join('\n');
}

if (require.main === module) {
  const log: Log = (line) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  let options: RunOptions;
  try {
    options = parseRunOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  (options.render ? Promise.resolve(renderSaved(options.render, options)) : runBench(options, log))
    .then(({ result, outDir }) => {
      const written = [
        ...(options.render && !options.outDir
          ? []
          : [`${relative(process.cwd(), outDir)}/result.{json,md} and chart.svg`]),
        ...(options.writeDocs ? ['docs/benchmarks.{md,json,svg}'] : []),
      ];
      process.stdout.write(`\n${summary(result)}\n\nwrote ${written.join(', ') || 'nothing'}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}
