import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { devServerSettingsArgs } from '../scripts/temporal-dev-server';
import { benchEntryArgs, REPO_ROOT } from './entry';
import { childEnv, freePort, waitForHttp, type ProcessGroup, type Service } from './processes';

/** The pragmas Temporal's SDK stress tests give the dev server's SQLite file: WAL journal, no fsync per commit. */
export const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=off'];

export type Storage = { kind: 'memory' } | { kind: 'file'; path: string };

export interface TemporalServer {
  service: Service;
  address: string;
  flags: string[];
}

export function temporalCliPath(): string {
  return execFileSync('bash', [join(REPO_ROOT, 'scripts', 'temporal-cli.sh')], { encoding: 'utf8' }).trim();
}

/** The dev-server flags for a storage mode (what docs/benchmarks.md records); `omit` leaves settings out. */
export function devServerFlags(storage: Storage, omit: readonly string[] = []): string[] {
  const common = ['--headless', '--log-level', 'error', ...devServerSettingsArgs(omit)];
  if (storage.kind === 'memory') return common;
  return [...common, '--db-filename', storage.path, ...SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma])];
}

/** Starts `temporal server start-dev` on free loopback ports and waits until its frontend answers. */
export async function startTemporal(
  group: ProcessGroup,
  name: string,
  cli: string,
  storage: Storage,
  omit: readonly string[] = [],
): Promise<TemporalServer> {
  const flags = devServerFlags(storage, omit);
  let service: Service | undefined;
  let port = 0;
  // The dev server picks more ports of its own (membership, internal frontend); on a machine where others start
  // servers too one of them can be taken between its check and its bind, and it exits. Try again on fresh ports.
  for (let attempt = 1; !service; attempt += 1) {
    port = await freePort();
    const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), ...flags];
    const candidate = group.start(attempt === 1 ? name : `${name}-attempt-${attempt}`, cli, args, childEnv({}));
    try {
      await candidate.waitForLine(/^Server:/, 60_000);
      service = candidate;
    } catch (error) {
      await group.stop(candidate);
      if (attempt >= 3 || candidate.child.exitCode === null) throw error;
    }
  }
  const address = `127.0.0.1:${port}`;
  const connection = await Connection.connect({ address });
  await connection.workflowService.getSystemInfo({});
  await connection.close();
  return { service, address, flags };
}

/**
 * What the benchmark changes in a production set-up: callers are anonymous (a production API refuses to start that
 * way, so NODE_ENV is development for the API), every load comes from one loopback address (so the per-caller
 * limits are lifted, or the limiter would be measured), and the worker runs the in-memory order services.
 */
const BENCH_SETTINGS = {
  NODE_ENV: 'development',
  RATE_LIMIT_PER_MINUTE: '100000000',
  RATE_LIMIT_WAITS_PER_MINUTE: '100000000',
  RATE_LIMIT_STREAMS_PER_CALLER: '100000',
  API_MAX_IN_FLIGHT: '100000',
  ALLOW_FAKE_SERVICES_IN_PRODUCTION: 'true',
};

/** The service's own env for one process: the dev server's address, a task queue, quiet logs. */
function serviceEnv(address: string, taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnv({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'warn',
    ...BENCH_SETTINGS,
    ...extra,
  });
}

function distEntry(relative: string, root = REPO_ROOT): string {
  const path = join(root, 'dist', relative);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first (npm run bench does)`);
  return path;
}

/** Starts the service's API (dist/api/main.js, as `npm run start:api` does) and waits for /readyz. */
export async function startApi(
  group: ProcessGroup,
  name: string,
  address: string,
  taskQueue: string,
  nodeArgs: string[] = [],
  extra: Record<string, string> = {},
  /** Another checkout of the service whose built API to run (bench/api-ab.ts); this one by default. */
  root = REPO_ROOT,
): Promise<{ service: Service; url: string }> {
  const port = await freePort();
  const env = serviceEnv(address, taskQueue, { PORT: String(port), HOST: '127.0.0.1', ...extra });
  const service = group.start(name, process.execPath, [...nodeArgs, distEntry('api/main.js', root)], env);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, 30_000);
  return { service, url };
}

/** Starts a worker replica (dist/worker/main.js with the prebuilt bundle) and waits until it polls. */
export async function startWorker(
  group: ProcessGroup,
  name: string,
  address: string,
  taskQueue: string,
  tuning: Record<string, string> = {},
): Promise<Service> {
  // LOG_LEVEL info: the worker's one start-up line ("worker polling") is how we know it is ready.
  const env = serviceEnv(address, taskQueue, { LOG_LEVEL: 'info', ...tuning });
  const service = group.start(name, process.execPath, [distEntry('worker/main.js')], env);
  await service.waitForLine(/"worker polling"/, 60_000);
  return service;
}

/** Starts the naive baseline: plain Express calling the Temporal client, no tRPC, no zod. */
export async function startNaive(
  group: ProcessGroup,
  address: string,
  queues: { start: string; execute: string },
): Promise<{ service: Service; url: string }> {
  const port = await freePort();
  const args = benchEntryArgs('naive-server', [String(port), address, queues.start, queues.execute]);
  const service = group.start('naive-express', process.execPath, args, childEnv({}));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 30_000);
  return { service, url };
}

/** Bundles the benchmark-only workflows (bench/workloads/workflows) once, for every workload worker of a run. */
export async function bundleBenchWorkflows(outPath: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workloads/workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  writeFileSync(outPath, code);
  return outPath;
}

/** Starts a replica of the benchmark's own worker (bench/workload-worker.ts) and waits until it polls. */
export async function startWorkloadWorker(
  group: ProcessGroup,
  name: string,
  address: string,
  taskQueue: string,
  bundlePath: string,
  activitySlots: number,
): Promise<Service> {
  const args = benchEntryArgs('workload-worker', [address, taskQueue, bundlePath, String(activitySlots)]);
  const service = group.start(name, process.execPath, args, childEnv({}));
  await service.waitForLine(/workload worker polling/, 60_000);
  return service;
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
