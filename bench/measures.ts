import { TIMER_MS, type DevSettingsResult } from './dev-settings-phase';
import type { FairnessResult } from './fairness-phase';
import type { MemoryResult, ReadySample, Samples } from './phases';
import type { ProgressResult } from './progress';
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
  /** The figure: a ratio (median of paired repetitions), or MB (B8), or milliseconds (B10, B11, B13). */
  value: number;
  unit: 'ratio' | 'MB' | 'ms' | '/s' | '%';
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
const maxes = (samples: Sample[] | undefined): number[] => (samples ?? []).map((sample) => sample.latency.max);

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
  /** B12, B13 and the dev-server settings; absent from results saved before they existed. */
  progress?: ProgressResult;
  devSettings?: DevSettingsResult;
  /** B16; absent from results saved before it existed. */
  fairness?: FairnessResult;
}

/** Turns one run's samples into the table's rows: B1 to B15, the storage comparison and the dev-server settings. */
/** Per sample: CPU ms per request summed over every process whose name matches. */
function cpuMsPerRequestEach(samples: Sample[] | undefined, matches: (process: string) => boolean): number[] {
  return (samples ?? []).map((sample) => {
    const cores = Object.entries(sample.cores)
      .filter(([name]) => matches(name))
      .reduce((sum, [, value]) => sum + value, 0);
    return (cores * 1000) / sample.throughput;
  });
}
const cpuMsPerRequestOf = (samples: Sample[] | undefined, matches: (process: string) => boolean): number =>
  round(spreadOf(cpuMsPerRequestEach(samples, matches)).median, 2);

const CLUSTER_SERVICES = ['frontend', 'history', 'matching', 'worker'].map((service) => `cluster-${service}`);
const isClusterTemporal = (name: string): boolean => CLUSTER_SERVICES.includes(name);
const isClusterPostgres = (name: string): boolean => name.startsWith('cluster-postgres');

/** C1–C4: the service on npm run cluster (bench/cluster-phase.ts), beside the dev server's figures of the same run. */
export function clusterMeasures(s: Samples, cores: number): Measure[] {
  const open = s['cluster.execute-open.rest'];
  const closed = s['cluster.execute.rest'];
  if (!open || !closed) return [];
  const busy = round(spreadOf((closed ?? []).map((sample) => sample.cores.machine ?? Number.NaN)).median, 2);
  const temporalMs = cpuMsPerRequestOf(closed, isClusterTemporal);
  const postgresMs = cpuMsPerRequestOf(closed, isClusterPostgres);
  const devP50 = round(spreadOf(p50s(s['execute-open.rest'])).median, 1);
  const devThroughput = round(spreadOf(throughputs(s['execute.rest'])).median, 1);
  const devServerMs = cpuMsPerRequest(s['execute.rest'], 'temporal-file');
  const share = (sample: Sample): number => {
    const of = (matches: (name: string) => boolean): number =>
      Object.entries(sample.cores)
        .filter(([name]) => matches(name))
        .reduce((sum, [, value]) => sum + value, 0);
    const pg = of(isClusterPostgres);
    return (100 * pg) / (pg + of(isClusterTemporal));
  };
  return [
    measure(
      'C1',
      'REST execute p50 on the cluster, open loop at the dev server’s rate',
      spreadOf(p50s(open)),
      undefined,
      { devServerP50Ms: devP50, clusterP99Ms: round(spreadOf(p99s(open)).median, 1) },
      (_met, value) =>
        `Reported: ${fixed(value)} ms against the dev server's ${fixed(devP50)} ms in this run; each execute is ` +
        `persisted in PostgreSQL (several transactions per workflow) and crosses frontend → history → matching over ` +
        `loopback gRPC, where the dev server does all of it in one process on SQLite.`,
      'ms',
    ),
    measure(
      'C2',
      'REST execute throughput on the cluster, closed loop',
      spreadOf(throughputs(closed)),
      undefined,
      {
        devServerPerSec: devThroughput,
        machineCores: busy,
        directPerSec: round(spreadOf(throughputs(s['cluster.execute.direct'])).median, 1),
      },
      (_met, value) =>
        `Reported: ${fixed(value)}/s (dev server ${fixed(devThroughput)}/s); the machine had ${fixed(busy, 2)} of ` +
        `${cores} cores busy, ` +
        (busy >= 0.9 * cores
          ? `so CPU bounds it: the four services and PostgreSQL share the cores with the API, the worker and the driver.`
          : `so not CPU: each execute's round trips through the services and the database bound it.`),
      '/s',
    ),
    measure(
      'C3',
      'Temporal CPU per workflow on the cluster (four services summed)',
      spreadOf(cpuMsPerRequestEach(closed, isClusterTemporal)),
      undefined,
      { devServerCpuMs: devServerMs, postgresCpuMs: postgresMs },
      (_met, value) =>
        `Reported: ${fixed(value, 2)} ms of CPU per YourWorkflow across frontend, history, matching and worker ` +
        `(dev server: ${fixed(devServerMs, 2)} ms), plus ${fixed(postgresMs, 2)} ms in PostgreSQL: every hop between ` +
        `services is a gRPC call, and persistence goes through SQL instead of an embedded store.`,
      'ms',
    ),
    measure(
      'C4',
      'PostgreSQL’s share of the cluster’s CPU (closed loop)',
      spreadOf((closed ?? []).map(share)),
      undefined,
      { temporalCpuMs: temporalMs, postgresCpuMs: postgresMs },
      (_met, value) =>
        `Reported: PostgreSQL used ${fixed(value)}% of the CPU the cluster (services + database) used, so ` +
        (value < 50
          ? `the services' own work (gRPC between them, history's task processing), not the database, is most of it.`
          : `the database is most of it: its transactions per workflow bound the cluster on this machine.`),
      '%',
    ),
  ];
}

export function computeMeasures({
  samples,
  ready,
  memory,
  cores,
  restateError,
  progress,
  devSettings,
  fairness,
}: MeasureInputs): Measure[] {
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
      { op: '<=', value: 1.05 },
      {
        restP50Ms: median(p50s(execRest)),
        directP50Ms: median(p50s(execDirect)),
        ratePerSec: execRest?.[0] ? rateOf(execRest[0]) : null,
      },
      (met) =>
        `${verdict(met)}: a direct execute takes ${fixed(median(p50s(execDirect)))} ms at p50 (start, two workflow tasks, ` +
        `an activity task and the result's long poll), ` +
        `so the front's extra ${fixed(pairedDifference(p50s(execRest), p50s(execDirect)))} ms is ` +
        `${met ? 'within' : 'beyond'} the 5% allowance.`,
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
      // No target: the rest of a start-up is Node and the SDK loading, as measured (issue 7); still reported.
      undefined,
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
          `${verdict(met ?? null)}: with workflowsPath the worker runs webpack over workflows/ at start-up ` +
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
        { op: '<=', value: 3 },
        { oursP50Ms: median(p50s(execRest)), restateP50Ms: median(p50s(restateP50)) },
        (met, value) =>
          `${verdict(met)}: Restate answered in ${fixed(median(p50s(restateP50)))} ms at p50, ours in ` +
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
    ...latencyRows(s, cores),
    ...progressRows(progress),
    ...workloadRows(s),
    ...b15Row(s),
    ...fairnessRows(fairness),
  );
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
  rows.push(...devSettingsRows(s, devSettings));
  rows.push(...clusterMeasures(s, cores));
  return rows;
}

/** B10 and B11: REST execute latency at the fixed open-loop rate, absolute, and its worst case. */
function latencyRows(s: Samples, cores: number): Measure[] {
  const rest = s['execute-open.rest'];
  if (!rest?.length) return [];
  const machine = machineCores(rest);
  const p999 = round(Math.max(...rest.map((x) => x.latency.p999 ?? Number.NaN)), 1);
  const worst = Math.max(...maxes(rest));
  const directWorst = Math.max(...maxes(s['execute-open.direct']));
  return [
    measure(
      'B10',
      `REST execute p50 at ${rateOf(rest[0] as Sample)}/s, absolute (open loop)`,
      spreadOf(p50s(rest)),
      { op: '<=', value: 40 },
      { p50Ms: round(spreadOf(p50s(rest)).median, 1), machineCores: machine, cores },
      (met, value) =>
        `${verdict(met)}: ${fixed(value)} ms at p50 with ${machine} of ${cores} cores busy on the machine ` +
        `(see the timelines below for where the time goes).`,
      'ms',
    ),
    measure(
      'B11',
      'maximum latency over every REST execute at the open-loop rate (below saturation)',
      spreadOf([worst]),
      { op: '<=', value: 1000 },
      {
        maxMs: worst,
        p999Ms: p999,
        p99Ms: round(Math.max(...p99s(rest)), 1),
        executes: rest.reduce((n, x) => n + x.completed, 0),
        directMaxMs: directWorst,
      },
      (met) =>
        `${verdict(met)}: the slowest of ${rest.reduce((n, x) => n + x.completed, 0)} executes took ${fixed(worst, 0)} ms ` +
        `(p99.9 ${fixed(p999, 0)} ms; the direct client's slowest ${fixed(directWorst, 0)} ms at the same rate).`,
      'ms',
    ),
  ];
}

/** B14: worker-bound throughput with 1, 2 and 4 replicas, next to the server's and the machine's CPU. */
function workloadRows(s: Samples): Measure[] {
  const rows: Measure[] = [];
  for (const kind of ['io', 'cpu'] as const) {
    const one = s[`work-${kind}.1`];
    if (!one?.length) continue;
    for (const replicas of [2, 4]) {
      const many = s[`work-${kind}.${replicas}`];
      const target: Target | undefined = kind === 'io' ? { op: '>=', value: replicas === 2 ? 1.8 : 3.2 } : undefined;
      const serverCores = (list: Sample[] | undefined): number =>
        round(spreadOf((list ?? []).map((x) => x.cores['temporal-file'] ?? Number.NaN)).median, 2);
      const workerCores = (list: Sample[] | undefined, count: number): number =>
        round(
          spreadOf(
            (list ?? []).map((x) =>
              Object.entries(x.cores)
                .filter(([name]) => name.startsWith(`work-${count}-`))
                .reduce((sum, [, c]) => sum + c, 0),
            ),
          ).median,
          2,
        );
      const perSec = (list: Sample[] | undefined): number => round(spreadOf(throughputs(list)).median, 1);
      rows.push(
        measure(
          `B14 ${kind} ${replicas}÷1`,
          kind === 'io'
            ? `worker-bound (I/O: activity slots) throughput, ${replicas} replicas ÷ 1`
            : `CPU-bound activity throughput, ${replicas} replicas ÷ 1`,
          pairedRatio(throughputs(many), throughputs(one)),
          target,
          {
            onePerSec: perSec(one),
            manyPerSec: perSec(many),
            serverCoresOne: serverCores(one),
            serverCoresMany: serverCores(many),
            workerCoresOne: workerCores(one, 1),
            workerCoresMany: workerCores(many, replicas),
            machineCoresMany: machineCores(many),
          },
          (met) =>
            `${verdict(met)}: ${perSec(one)} → ${perSec(many)} workflows/s; the replicas used ` +
            `${workerCores(one, 1)} → ${workerCores(many, replicas)} cores, the server ${serverCores(one)} → ` +
            `${serverCores(many)}, the machine ${machineCores(many)} with ${replicas} replicas` +
            (kind === 'io'
              ? met
                ? ': each replica adds its activity slots while the server has CPU to spare.'
                : ': the replicas were not what bounded it (see the server and machine cores).'
              : ": activities burn the worker's one JavaScript thread, so replicas help only while the machine has idle cores."),
        ),
      );
    }
  }
  return rows;
}

/** B12 and B13: progress streams' cost to Temporal and their events' delay. */
function progressRows(progress: ProgressResult | undefined): Measure[] {
  if (!progress) return [];
  const [one, many] = progress.windows;
  if (!one || !many) return [];
  const delays = spreadOf(one.delaysMs);
  return [
    measure(
      'B12',
      `Temporal calls per second for ${many.subscribers} subscribers of one workflow ÷ for 1`,
      spreadOf([many.callsPerSec / one.callsPerSec]),
      { op: '<=', value: 1.2 },
      {
        oneCallsPerSec: one.callsPerSec,
        manyCallsPerSec: many.callsPerSec,
        subscribers: many.subscribers,
        idleCallsPerSec: progress.idleCallsPerSec,
        historyChangesPerSec: progress.changesPerSec,
      },
      (met) =>
        `${verdict(met)}: with its history changing ${progress.changesPerSec} times a second, one subscriber cost ` +
        `${one.callsPerSec} Temporal calls/s and ${many.subscribers} cost ${many.callsPerSec} (counted at the API's ` +
        `gRPC connection; ${progress.idleCallsPerSec}/s with no subscriber).`,
    ),
    measure(
      'B13',
      'progress event delay after the history event it reflects, p50 (one subscriber)',
      spreadOf([delays.median]),
      { op: '<=', value: 50 },
      {
        p50Ms: round(delays.median, 1),
        maxMs: round(delays.max, 1),
        events: one.delaysMs.length,
        manyP50Ms: round(spreadOf(many.delaysMs).median, 1),
      },
      (met) =>
        `${verdict(met)}: ${one.delaysMs.length} events arrived ${fixed(delays.median)} ms (p50) and at most ` +
        `${fixed(delays.max)} ms after the newest history event they reflect; with ${many.subscribers} subscribers ` +
        `${fixed(spreadOf(many.delaysMs).median)} ms.`,
      'ms',
    ),
  ];
}

/** B15: the API's CPU per REST execute next to the naive Express handler's. */
function b15Row(s: Samples): Measure[] {
  const rest = s['execute.rest'];
  const naive = s['execute.naive'];
  if (!rest?.length || !naive?.length) return [];
  const perRequest = (list: Sample[], name: string): number[] =>
    list.map((x) => ((x.cores[name] ?? Number.NaN) * 1000) / x.throughput);
  const api = cpuMsPerRequest(rest, 'api-execute');
  const naiveMs = cpuMsPerRequest(naive, 'naive-express');
  return [
    measure(
      'B15',
      'API CPU per REST execute ÷ naive Express handler’s (closed loop)',
      pairedRatio(perRequest(rest, 'api-execute'), perRequest(naive, 'naive-express')),
      { op: '<=', value: 1.2 },
      { apiCpuMsPerExecute: api, naiveCpuMsPerExecute: naiveMs },
      (met) =>
        `${verdict(met)}: ${fixed(api, 2)} ms of API CPU per execute against ${fixed(naiveMs, 2)} ms for a hand-written ` +
        `Express route that calls client.workflow.execute` +
        (met ? '.' : '; docs/benchmarks.md lists what the profile shows.'),
    ),
  ];
}

/** B16: a quiet tenant beside a noisy one, with task-queue fairness and without; and its cost to one busy tenant. */
export function fairnessRows(fairness: FairnessResult | undefined): Measure[] {
  if (!fairness?.runs.length) return [];
  const on = fairness.runs.filter((run) => run.fairness);
  const off = fairness.runs.filter((run) => !run.fairness);
  const med = (runs: typeof on, pick: (run: (typeof on)[number]) => number): number =>
    round(spreadOf(runs.map(pick)).median, 2);
  const offRatio = med(off, (run) => run.ratio);
  const drain = { on: med(on, (run) => run.floodDrainMs), off: med(off, (run) => run.floodDrainMs) };
  const detail = {
    quietRatePerSec: fairness.quietRatePerSec,
    floodStarts: on[0]?.floodStarts,
    on: {
      aloneP50Ms: med(on, (run) => run.quietAloneP50Ms),
      duringP50Ms: med(on, (run) => run.quietDuringP50Ms),
      duringExecutes: med(on, (run) => run.quietDuringCount),
      floodDrainMs: drain.on,
    },
    off: {
      ratio: offRatio,
      aloneP50Ms: med(off, (run) => run.quietAloneP50Ms),
      duringP50Ms: med(off, (run) => run.quietDuringP50Ms),
      duringExecutes: med(off, (run) => run.quietDuringCount),
      floodDrainMs: drain.off,
    },
    errors: fairness.runs.reduce((sum, run) => sum + run.quietErrors, 0),
  };
  const cost = {
    onP50Ms: med(on, (run) => run.oneTenantP50Ms),
    offP50Ms: med(off, (run) => run.oneTenantP50Ms),
    onServerCpuMs: med(on, (run) => run.oneTenantServerCpuMs),
    offServerCpuMs: med(off, (run) => run.oneTenantServerCpuMs),
    ratePerSec: fairness.oneTenantRatePerSec,
  };
  return [
    measure(
      'B16',
      'quiet tenant execute p50 during a noisy tenant’s flood ÷ alone, fairness on (off beside it)',
      spreadOf(on.map((run) => run.ratio)),
      { op: '<=', value: 2 },
      detail,
      (met, value) =>
        `${verdict(met)}: with fairness the quiet tenant's executes took ${fixed(detail.on.duringP50Ms)} ms (p50) ` +
        `during a flood of ${detail.floodStarts} starts against ${fixed(detail.on.aloneP50Ms)} ms alone ` +
        `(${fixed(value, 2)}×); without, ${fixed(detail.off.duringP50Ms)} ms against ${fixed(detail.off.aloneP50Ms)} ms ` +
        `(${fixed(offRatio, 2)}×), its tasks queued behind the whole backlog. The flood drained in ` +
        `${fixed(drain.on / 1000)} s with fairness, ${fixed(drain.off / 1000)} s without (one worker, 2 slots).`,
    ),
    measure(
      'B16 cost',
      'one busy tenant alone: execute p50, fairness on ÷ off',
      pairedRatio(
        on.map((run) => run.oneTenantP50Ms),
        off.map((run) => run.oneTenantP50Ms),
      ),
      undefined,
      cost,
      (_met, value) =>
        `Reported: at ${cost.ratePerSec}/s from one tenant, ${fixed(cost.onP50Ms)} ms with fairness and ` +
        `${fixed(cost.offP50Ms)} ms without (${fixed(value, 2)}×); the dev server spent ${fixed(cost.onServerCpuMs, 2)} ` +
        `and ${fixed(cost.offServerCpuMs, 2)} ms of CPU per workflow.`,
    ),
  ];
}

/** The dev-server settings, each against ours: what leaving one out costs. */
function devSettingsRows(s: Samples, devSettings: DevSettingsResult | undefined): Measure[] {
  if (!devSettings) return [];
  const p50 = (variant: string, probe: string): number => spreadOf(p50s(s[`settings.${variant}.${probe}`])).median;
  const serverMs = (variant: string): number =>
    cpuMsPerRequest(s[`settings.${variant}.execute`], `temporal-${variant}`);
  const rows: Measure[] = [];
  const compare = (
    id: string,
    variant: string,
    title: string,
    figure: (variant: string) => number,
    unit: string,
  ): void => {
    if (!s[`settings.${variant}.execute`] || !s['settings.ours.execute']) return;
    const [theirs, ours] = [figure(variant), figure('ours')];
    rows.push(
      measure(
        id,
        title,
        spreadOf([theirs / ours]),
        undefined,
        { [variant]: round(theirs, 2), ours: round(ours, 2), unit, omitted: devSettings.variants[variant] },
        (_met, value) =>
          `Reported: ${fixed(theirs, 2)} ${unit} without against ${fixed(ours, 2)} ${unit} with ` +
          `(${fixed(value, 2)}×) at ${s['settings.ours.execute']?.[0] ? rateOf(s['settings.ours.execute'][0]) : '?'}/s.`,
      ),
    );
  };
  compare(
    'D all',
    'defaults',
    'dev server, Temporal defaults ÷ our settings: execute p50',
    (v) => p50(v, 'execute'),
    'ms',
  );
  compare(
    'D transfer',
    'without-transfer',
    'dev server without the transfer-queue rate ÷ ours: execute p50',
    (v) => p50(v, 'execute'),
    'ms',
  );
  compare(
    'D timer',
    'without-timer',
    `dev server without the timer-queue rate ÷ ours: ${TIMER_MS} ms timer workflow p50`,
    (v) => p50(v, 'timer'),
    'ms',
  );
  compare(
    'D timer shift',
    'without-timer-shift',
    `dev server without the timer queue's 10 ms time shift ÷ ours: ${TIMER_MS} ms timer workflow p50`,
    (v) => p50(v, 'timer'),
    'ms',
  );
  compare(
    'D visibility',
    'without-visibility',
    'dev server without the visibility-queue rate ÷ ours: start until listed, p50',
    (v) => p50(v, 'visibility'),
    'ms',
  );
  compare(
    'D eager',
    'without-eager',
    'dev server without eager activities ÷ ours: server CPU per workflow',
    serverMs,
    'ms CPU',
  );
  compare(
    'D fairness',
    'without-fairness',
    'dev server without task-queue fairness ÷ ours: execute p50 (one caller, so nobody to be fair to)',
    (v) => p50(v, 'execute'),
    'ms',
  );
  compare(
    'D partitions',
    'without-partitions',
    'dev server with default partitions ÷ one: server CPU per workflow',
    serverMs,
    'ms CPU',
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
