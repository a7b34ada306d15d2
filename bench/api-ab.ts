// `npm run bench:api-ab -- --before <checkout>`: B15 for two builds of the API side by side in one run — this
// checkout's and another's (an earlier commit, built with `npm run build` there) — beside the same naive handler, on
// one dev server and one worker, in the same closed loop. Prints each build's API CPU per REST execute, its B15 and
// the ratio after ÷ before, paired per repetition. For "did this change cost CPU", where two full runs on different
// days (or processors) cannot say.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { QUEUES } from './environment';
import { interruptibleGroup } from './interrupt';
import type { LoadShape } from './load';
import { http, interleave, windowOf, type Log, type Samples } from './phases';
import { primeQueue } from './prime';
import { runDriver, type Sample } from './run-driver';
import { startApi, startNaive, startTemporal, startWorker, temporalCliPath } from './services';
import { PROFILES } from './settings';
import { pairedRatio, spreadOf, type Spread } from './stats';
import { GREETING, GREETING_INPUT, GREETING_OUTPUT } from './targets';

const cpuMsPerExecute = (samples: Sample[], name: string): number[] =>
  samples.map((sample) => ((sample.cores[name] ?? Number.NaN) * 1000) / sample.throughput);
const show = ({ median, min, max }: Spread): string => `${median.toFixed(2)} (${min.toFixed(2)}–${max.toFixed(2)})`;

async function main(log: Log): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { before: { type: 'string' }, reps: { type: 'string' } },
  });
  if (!values.before) throw new Error('--before <checkout> is required (a checkout of the service with dist/ built)');
  const settings = { ...PROFILES.full, reps: Number(values.reps ?? 5) };
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-ab-'));
  const { group } = interruptibleGroup(join(dir, 'logs'));
  try {
    log(`starting a dev server, a worker, the naive handler and both APIs (logs in ${dir}/logs)`);
    const temporal = await startTemporal(group, 'temporal-file', temporalCliPath(), {
      kind: 'file',
      path: join(dir, 'temporal.sqlite'),
    });
    await startWorker(group, 'worker', temporal.address, QUEUES.execute);
    const [after, before, naive] = await Promise.all([
      startApi(group, 'api-after', temporal.address, QUEUES.execute),
      startApi(group, 'api-before', temporal.address, QUEUES.execute, [], {}, resolve(values.before)),
      startNaive(group, temporal.address, { start: QUEUES.start, execute: QUEUES.execute }),
    ]);
    await primeQueue(temporal.address, QUEUES.execute, GREETING, 4);
    const watch = { 'api-after': after.service.pid, 'api-before': before.service.pid, naive: naive.service.pid };
    const closed: LoadShape = { kind: 'closed', concurrency: settings.executeConcurrency, ...windowOf(settings) };
    const execute = (url: string) => (): Promise<Sample> =>
      runDriver({ target: http(url, { input: GREETING_INPUT }, ['result'], GREETING_OUTPUT), shape: closed }, watch);
    const samples: Samples = {};
    await interleave(
      {
        after: execute(`${after.url}/api/workflows/YourWorkflow/execute`),
        before: execute(`${before.url}/api/workflows/YourWorkflow/execute`),
        naive: execute(`${naive.url}/execute`),
      },
      { settings, samples, log },
    );
    const afterMs = cpuMsPerExecute(samples.after ?? [], 'api-after');
    const beforeMs = cpuMsPerExecute(samples.before ?? [], 'api-before');
    const naiveMs = cpuMsPerExecute(samples.naive ?? [], 'naive');
    process.stdout.write(
      [
        `API CPU ms per REST execute, median (min–max) over ${settings.reps} repetitions:`,
        `  after (this checkout):  ${show(spreadOf(afterMs))}`,
        `  before (${values.before}): ${show(spreadOf(beforeMs))}`,
        `  naive Express handler:  ${show(spreadOf(naiveMs))}`,
        `B15 after ÷ naive:  ${show(pairedRatio(afterMs, naiveMs))}`,
        `B15 before ÷ naive: ${show(pairedRatio(beforeMs, naiveMs))}`,
        `after ÷ before:     ${show(pairedRatio(afterMs, beforeMs))}`,
        '',
      ].join('\n'),
    );
  } finally {
    await group.stopAll();
  }
}

if (require.main === module) {
  main((line) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)).catch(
    (error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
