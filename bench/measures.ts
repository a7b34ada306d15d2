import type { MemoryResult, ReadySample, Samples } from './phases';
import type { Sample } from './run-driver';
import { pairedRatio, round, spreadOf, type Spread } from './stats';

export interface Target {
  op: '>=' | '<=';
  value: number;
}

/** One row of the published table. */
export interface Measure {
  id: string;
  title: string;
  /** The figure: a ratio (median of paired repetitions) or, for B8, MB. */
  value: number;
  unit: 'ratio' | 'MB';
  spread: Spread;
  target?: Target;
  /** true / false against the target; null where the issue asks only for a report. */
  met: boolean | null;
  /** The side-by-side figures the ratio came from, and what bounded them. */
  detail: Record<string, unknown>;
  /** One sentence on why the target is met or missed, from this run's own figures. */
  why: string;
}

const throughputs = (samples: Sample[] | undefined): number[] => (samples ?? []).map((sample) => sample.throughput);
const p50s = (samples: Sample[] | undefined): number[] => (samples ?? []).map((sample) => sample.latency.p50);
const p99s = (samples: Sample[] | undefined): number[] => (samples ?? []).map((sample) => sample.latency.p99);

/** Median CPU milliseconds one request cost each named process (cores × 1000 ÷ throughput). */
function cpuMsPerRequest(samples: Sample[] | undefined, process: string): number {
  const values = (samples ?? []).map((sample) => ((sample.cores[process] ?? Number.NaN) * 1000) / sample.throughput);
  return round(spreadOf(values).median, 2);
}

function machineCores(samples: Sample[] | undefined): number {
  return round(spreadOf((samples ?? []).map((sample) => sample.cores.machine ?? Number.NaN)).median, 2);
}

function judge(value: number, target: Target | undefined): boolean | null {
  if (!target || !Number.isFinite(value)) return null;
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

function measure(
  id: string,
  title: string,
  spread: Spread,
  target: Target | undefined,
  detail: Record<string, unknown>,
  why: (met: boolean | null, value: number) => string,
  unit: Measure['unit'] = 'ratio',
): Measure {
  const value = round(spread.median);
  const met = judge(value, target);
  const rounded = {
    median: value,
    min: round(spread.min),
    max: round(spread.max),
    values: spread.values.map((v) => round(v)),
  };
  return { id, title, value, unit, spread: rounded, target, met, detail, why: why(met, value) };
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const verdict = (met: boolean | null): string => (met === null ? 'Reported' : met ? 'Met' : 'Missed');

export interface MeasureInputs {
  samples: Samples;
  ready: ReadySample[];
  memory: MemoryResult;
  cores: number;
  restateError?: string;
}

/** Turns one run's samples into the table's rows, B1 to B9 and the storage comparison. */
export function computeMeasures({ samples, ready, memory, cores, restateError }: MeasureInputs): Measure[] {
  const s = samples;
  const busy = (key: string): string => `the machine had ${machineCores(s[key])} of ${cores} cores busy`;
  const median = (values: number[]): number => round(spreadOf(values).median, 1);
  const rows: Measure[] = [];

  const apiCpu = cpuMsPerRequest(s['start.rest'], 'api-start');
  const trpcCpu = cpuMsPerRequest(s['start.trpc'], 'api-start');
  const naiveCpu = cpuMsPerRequest(s['start.naive'], 'naive-express');
  const serverCpu = cpuMsPerRequest(s['start.direct'], 'temporal-file');
  rows.push(
    measure(
      'B1',
      'REST start ÷ direct client.workflow.start, throughput',
      pairedRatio(throughputs(s['start.rest']), throughputs(s['start.direct'])),
      { op: '>=', value: 0.9 },
      {
        restPerSec: median(throughputs(s['start.rest'])),
        directPerSec: median(throughputs(s['start.direct'])),
        apiCpuMsPerStart: apiCpu,
        serverCpuMsPerStart: serverCpu,
        machineCores: machineCores(s['start.rest']),
      },
      (met) =>
        `${verdict(met)}: ${busy('start.rest')}, so throughput follows CPU per start; the API adds ${fixed(apiCpu, 2)} ms ` +
        `of CPU per start (HTTP, routing, validation, its own gRPC client) to the server's ${fixed(serverCpu, 2)} ms.`,
    ),
  );
  rows.push(
    measure(
      'B2',
      'tRPC start ÷ REST start, throughput',
      pairedRatio(throughputs(s['start.trpc']), throughputs(s['start.rest'])),
      { op: '>=', value: 0.9 },
      { trpcPerSec: median(throughputs(s['start.trpc'])), apiCpuMsPerStartTrpc: trpcCpu, apiCpuMsPerStartRest: apiCpu },
      (met) =>
        `${verdict(met)}: both transports call the same procedure; the API spent ${fixed(trpcCpu, 2)} ms of CPU per tRPC ` +
        `start and ${fixed(apiCpu, 2)} ms per REST start.`,
    ),
  );
  const openRest = s['start-open.rest'];
  const openDirect = s['start-open.direct'];
  const p50Added = pairedDifference(p50s(openRest), p50s(openDirect));
  rows.push(
    measure(
      'B3 p50',
      'start latency over HTTP ÷ direct, p50 (open loop)',
      pairedRatio(p50s(openRest), p50s(openDirect)),
      { op: '<=', value: 1.1 },
      {
        restP50Ms: median(p50s(openRest)),
        directP50Ms: median(p50s(openDirect)),
        ratePerSec: openRest?.[0] ? rateOf(openRest[0]) : null,
      },
      (met) =>
        `${verdict(met)}: a direct start is one gRPC round trip (${fixed(median(p50s(openDirect)), 2)} ms at p50); HTTP adds ` +
        `a second hop and the API's work, ${fixed(p50Added, 2)} ms` +
        (met
          ? '.'
          : ', which no front can hide next to so short a call: the ratio compares overhead with a bare round trip.'),
    ),
  );
  rows.push(
    measure(
      'B3 p99',
      'start latency over HTTP ÷ direct, p99 (open loop)',
      pairedRatio(p99s(openRest), p99s(openDirect)),
      { op: '<=', value: 1.3 },
      { restP99Ms: median(p99s(openRest)), directP99Ms: median(p99s(openDirect)) },
      (met) =>
        `${verdict(met)}: p99 ${fixed(median(p99s(openRest)), 1)} vs ${fixed(median(p99s(openDirect)), 1)} ms; tails are set ` +
        `by CPU scheduling (${busy('start-open.rest')})` +
        (met ? '.' : ', and a request that crosses two processes waits for the scheduler twice.'),
    ),
  );
  const execRest = s['execute-open.rest'];
  const execDirect = s['execute-open.direct'];
  rows.push(
    measure(
      'B4',
      'HTTP-to-result (REST execute) ÷ direct client.workflow.execute, p50 (open loop)',
      pairedRatio(p50s(execRest), p50s(execDirect)),
      { op: '<=', value: 1.1 },
      {
        restP50Ms: median(p50s(execRest)),
        directP50Ms: median(p50s(execDirect)),
        ratePerSec: execRest?.[0] ? rateOf(execRest[0]) : null,
      },
      (met) =>
        `${verdict(met)}: a direct execute takes ${fixed(median(p50s(execDirect)))} ms at p50 (start, two workflow tasks, ` +
        `an activity task and the result's long poll), ` +
        `so the front's extra ${fixed(pairedDifference(p50s(execRest), p50s(execDirect)))} ms is ` +
        `${met ? 'within' : 'beyond'} the 10% allowance.`,
    ),
  );
  rows.push(
    measure(
      'B5',
      'REST start ÷ naive Express handler (no tRPC, no zod), throughput',
      pairedRatio(throughputs(s['start.rest']), throughputs(s['start.naive'])),
      { op: '>=', value: 0.95 },
      { naivePerSec: median(throughputs(s['start.naive'])), apiCpuMsPerStart: apiCpu, naiveCpuMsPerStart: naiveCpu },
      (met) =>
        `${verdict(met)}: per start our API spent ${fixed(apiCpu, 2)} ms of CPU and the naive handler ${fixed(naiveCpu, 2)} ms; ` +
        `the difference is tRPC + trpc-to-openapi + zod` +
        (met
          ? ', small next to the Temporal client and server work both share.'
          : ', paid on a machine with no idle core.'),
    ),
  );
  const one = s['scale.1-worker'];
  const two = s['scale.2-workers'];
  rows.push(
    measure(
      'B6',
      'workflows completed per second, two worker replicas ÷ one',
      pairedRatio(throughputs(two), throughputs(one)),
      undefined,
      {
        onePerSec: median(throughputs(one)),
        twoPerSec: median(throughputs(two)),
        serverCoresOne: round(spreadOf((one ?? []).map((x) => x.cores['temporal-file'] ?? Number.NaN)).median, 2),
        serverCoresTwo: round(spreadOf((two ?? []).map((x) => x.cores['temporal-file'] ?? Number.NaN)).median, 2),
        workerCoresOne: round(spreadOf((one ?? []).map((x) => x.cores['worker-scale-1'] ?? Number.NaN)).median, 2),
        machineCoresTwo: machineCores(two),
      },
      (_met, value) =>
        `Reported: ${value >= 1.1 ? 'a second replica helps' : 'a second replica adds little'} ` +
        `(${fixed(median(throughputs(one)))} → ${fixed(median(throughputs(two)))} workflows/s) because the dev server ` +
        `used ${fixed(cpuMsPerRequest(two, 'temporal-file'), 2)} ms of CPU per workflow and ${busy('scale.2-workers')}: ` +
        `the server and the machine bound it, not the worker.`,
    ),
  );
  const bundle = ready.filter((r) => r.mode === 'bundle').map((r) => r.spawnToReadyMs);
  const sources = ready.filter((r) => r.mode === 'sources').map((r) => r.spawnToReadyMs);
  rows.push(
    measure(
      'B7',
      'worker ready time, prebuilt bundle ÷ workflowsPath',
      pairedRatio(bundle, sources),
      { op: '<=', value: 0.3 },
      {
        bundleMs: median(bundle),
        sourcesMs: median(sources),
        createRatio: round(
          spreadOf(ready.filter((r) => r.mode === 'bundle').map((r) => r.createMs)).median /
            spreadOf(ready.filter((r) => r.mode === 'sources').map((r) => r.createMs)).median,
        ),
      },
      (met) => {
        const create = (mode: ReadySample['mode']): number =>
          median(ready.filter((r) => r.mode === mode).map((r) => r.createMs));
        return (
          `${verdict(met)}: with workflowsPath the worker runs webpack over workflows/ at start-up ` +
          `(${fixed(median(sources), 0)} ms to polling, ${fixed(create('sources'), 0)} ms of it in Worker.create); the ` +
          `prebuilt bundle only loads a file (${fixed(median(bundle), 0)} ms, ${fixed(create('bundle'), 0)} ms in ` +
          `Worker.create)` +
          (met ? '.' : '; the rest of both is starting Node and loading the SDK, which no bundle removes.')
        );
      },
    ),
  );
  const mb = memory.rssPerWorkflowBytes / 1_048_576;
  rows.push(
    measure(
      'B8',
      'worker memory per cached workflow (RSS growth ÷ cached workflows)',
      spreadOf([mb]),
      { op: '<=', value: 1.5 },
      {
        cachedWorkflows: memory.workflows,
        rssGrowthMiB: round((memory.after.rssBytes - memory.before.rssBytes) / 1_048_576, 1),
        heapPerWorkflowKiB: round(memory.heapPerWorkflowBytes / 1024, 1),
      },
      (met) =>
        `${verdict(met)}: ${memory.workflows} open workflows grew RSS by ` +
        `${fixed((memory.after.rssBytes - memory.before.rssBytes) / 1_048_576)} MiB; workflows share one reused V8 context, ` +
        `so each holds only its own state (${fixed(memory.heapPerWorkflowBytes / 1024)} KiB of heap).`,
      'MB',
    ),
  );
  const restateP50 = s['execute-open.restate'];
  const restateClosed = s['execute.restate'];
  if (restateError || !restateP50 || !restateClosed) {
    const reason = restateError ?? 'not measured';
    rows.push({
      id: 'B9',
      title: 'peer: Restate HTTP-to-result, ours ÷ Restate',
      value: Number.NaN,
      unit: 'ratio',
      spread: spreadOf([]),
      met: null,
      detail: { error: reason },
      why: `Not run: ${reason}`,
    });
  } else {
    rows.push(
      measure(
        'B9 p50',
        'peer: HTTP-to-result p50, ours (REST execute) ÷ Restate (open loop, same rate)',
        pairedRatio(p50s(execRest), p50s(restateP50)),
        undefined,
        { oursP50Ms: median(p50s(execRest)), restateP50Ms: median(p50s(restateP50)) },
        (_met, value) =>
          `Reported: Restate answered in ${fixed(median(p50s(restateP50)))} ms at p50, ours in ` +
          `${fixed(median(p50s(execRest)))} ms (${value > 1 ? 'slower' : 'faster'}); ours hands the work to the worker three ` +
          `times through the server's task queues (workflow task, activity task, workflow task), Restate pushes the ` +
          `invocation to the service over one HTTP/2 stream and journals the step in the same exchange.`,
      ),
    );
    rows.push(
      measure(
        'B9 throughput',
        'peer: HTTP-to-result throughput, ours ÷ Restate (closed loop, same concurrency)',
        pairedRatio(throughputs(s['execute.rest']), throughputs(restateClosed)),
        undefined,
        {
          oursPerSec: median(throughputs(s['execute.rest'])),
          restatePerSec: median(throughputs(restateClosed)),
          restateServerCpuMs: cpuMsPerRequest(restateClosed, 'restate-server'),
          temporalServerCpuMs: cpuMsPerRequest(s['execute.rest'], 'temporal-file'),
        },
        (_met, value) =>
          `Reported: ${fixed(median(throughputs(s['execute.rest'])))} vs ${fixed(median(throughputs(restateClosed)))} ` +
          `greetings/s (${fixed(value, 2)}×); per greeting the Temporal dev server used ` +
          `${fixed(cpuMsPerRequest(s['execute.rest'], 'temporal-file'), 2)} ms of CPU, restate-server ` +
          `${fixed(cpuMsPerRequest(restateClosed, 'restate-server'), 2)} ms.`,
      ),
    );
  }
  rows.push(
    measure(
      'S1 start',
      'dev server storage: in-memory ÷ SQLite file (WAL, synchronous=off), direct start throughput',
      pairedRatio(throughputs(s['start.direct-memory']), throughputs(s['start.direct'])),
      undefined,
      {
        memoryPerSec: median(throughputs(s['start.direct-memory'])),
        filePerSec: median(throughputs(s['start.direct'])),
      },
      (_met, value) =>
        `Reported: with synchronous=off the file costs ${value > 1.05 ? `${fixed((value - 1) * 100, 0)}% of start throughput` : 'little'}, ` +
        `since SQLite writes go to the page cache, not the disk.`,
    ),
  );
  rows.push(
    measure(
      'S1 execute',
      'dev server storage: in-memory ÷ SQLite file, direct execute throughput',
      pairedRatio(throughputs(s['execute.direct-memory']), throughputs(s['execute.direct'])),
      undefined,
      {
        memoryPerSec: median(throughputs(s['execute.direct-memory'])),
        filePerSec: median(throughputs(s['execute.direct'])),
      },
      (_met, value) =>
        `Reported: in-memory storage runs the whole workflow at ${fixed(value, 2)}× the file-backed rate.`,
    ),
  );
  return rows;
}

/** Median of a[i] − b[i] over paired repetitions, like the ratios, so that the two never disagree about drift. */
function pairedDifference(a: number[], b: number[]): number {
  return spreadOf(a.map((value, i) => value - (b[i] ?? Number.NaN))).median;
}

/** The open-loop rate a sample ran at (requests due per second), from its counts. */
function rateOf(sample: Sample): number {
  return round((sample.completed + sample.errors) / (sample.windowMs / 1000), 1);
}
