import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { devServerSettingsArgs } from '../../scripts/temporal-dev-server';
import { temporalAnswers, waitUntil } from '../../scripts/dev/wait';
import { freePort, listeningPort, spawnNode, spawnProcess, type RunningProcess } from './processes';
import { temporalCliPath, uniqueName } from './temporal';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const START_TIMEOUT_MS = 60_000;

/**
 * A deployment in miniature for fault tests: a FILE-BACKED Temporal dev server (it survives a restart, as a real
 * cluster's database does), worker replicas and API processes, each a real process built from dist/.
 */
export interface FaultCluster {
  readonly temporalAddress: string;
  readonly taskQueue: string;
  /** A client of the test's own, to check what Temporal holds (not the API's). */
  readonly client: Client;
  startTemporal(): Promise<void>;
  stopTemporal(signal?: NodeJS.Signals): Promise<void>;
  startWorker(extraEnv?: Record<string, string>): Promise<RunningProcess>;
  /** Starts an API process; the same port each time unless told otherwise, as a restarted pod behind its Service. */
  startApi(extraEnv?: Record<string, string>): Promise<RunningProcess>;
  readonly apiUrl: string;
  teardown(): Promise<void>;
}

/** Builds dist/ when it is missing (npm run test:faults builds first). */
export function ensureBuilt(): void {
  const built = ['api/main.js', 'worker/main.js', 'workflow-bundle.js'].every((file) => existsSync(join(DIST, file)));
  if (!built) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

/** `temporalArgs`: extra `start-dev` flags (e.g. a shorter connection-age limit for the soak). */
export async function startFaultCluster({ temporalArgs = [] as string[] } = {}): Promise<FaultCluster> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'temporal-http-faults-'));
  // The dev server cannot be told to bind port 0 and report, so its ports are picked free and, should another process
  // take one first, picked again (below). The API binds port 0 and says which it got; a restart reuses that port.
  let [temporalPort, uiPort] = [await freePort(), await freePort()];
  let apiPort = 0;
  const temporalAddress = (): string => `127.0.0.1:${temporalPort}`;
  const taskQueue = uniqueName('faults-tq');
  const processes: RunningProcess[] = [];
  let temporal: RunningProcess | undefined;
  // The faults under test are processes and connections, not callers: auth is off (development, where the worker may
  // use the in-memory order services) and the per-caller limits are lifted, since every request comes from loopback.
  const baseEnv = () => ({
    NODE_ENV: 'development',
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_WAITS_PER_MINUTE: '1000000',
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
    WORKER_SHUTDOWN_GRACE_MS: '20000',
  });

  const cluster: FaultCluster = {
    get temporalAddress() {
      return temporalAddress();
    },
    taskQueue,
    get apiUrl() {
      return `http://127.0.0.1:${apiPort}`;
    },
    client: undefined as unknown as Client,
    async startTemporal() {
      const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(temporalPort)];
      args.push('--ui-port', String(uiPort), '--headless', '--db-filename', join(dir, 'temporal.sqlite'));
      // As the benchmarks run it: WAL, no fsync per commit (the file survives a server restart, not a machine crash).
      args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off');
      args.push('--log-level', 'error', ...devServerSettingsArgs(), ...temporalArgs);
      temporal = spawnProcess('temporal', temporalCliPath(), args, { HOME: dir, PATH: '/usr/bin:/bin' });
      const up = await waitUntil(() => temporalAnswers(temporalAddress(), 'default'), {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 200,
        givenUp: () => temporal?.child.exitCode !== null,
      });
      if (!up) throw new Error(`the Temporal dev server did not start:\n${temporal.output()}`);
    },
    async stopTemporal(signal = 'SIGTERM') {
      await temporal?.stop(signal, 10_000);
    },
    async startWorker(extraEnv = {}) {
      const worker = spawnNode('worker', [join(DIST, 'worker/main.js')], {
        ...baseEnv(),
        LOG_LEVEL: 'info',
        WORKFLOW_BUNDLE_PATH: join(DIST, 'workflow-bundle.js'),
        ...extraEnv,
      });
      processes.push(worker);
      await worker.waitForLine(/"message":"worker polling"/, START_TIMEOUT_MS);
      return worker;
    },
    async startApi(extraEnv = {}) {
      const api = spawnNode('api', [join(DIST, 'api/main.js')], { ...baseEnv(), LOG_LEVEL: 'info', ...extraEnv });
      processes.push(api);
      apiPort = listeningPort(await api.waitForLine(/"message":"api listening"/, START_TIMEOUT_MS));
      return api;
    },
    async teardown() {
      await Promise.all(processes.map((child) => child.stop('SIGKILL', 1_000)));
      await cluster.client?.connection.close().catch(() => undefined);
      await temporal?.stop('SIGKILL', 1_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await cluster.startTemporal();
      break;
    } catch (error) {
      if (attempt === 3 || !/address already in use/i.test(String(error))) throw error;
      [temporalPort, uiPort] = [await freePort(), await freePort()];
    }
  }
  const connection = await Connection.connect({ address: temporalAddress() });
  Object.assign(cluster, { client: new Client({ connection }) });
  return cluster;
}

/**
 * A fault cluster for one describe block: started before its tests, then `start` (its worker and API, say), and torn
 * down after them. The object stands for the cluster once it is started.
 */
export function useFaultCluster(
  start: (cluster: FaultCluster) => Promise<unknown> = async () => undefined,
  options: Parameters<typeof startFaultCluster>[0] = {},
): FaultCluster {
  let started: FaultCluster | undefined;
  before(async () => {
    started = await startFaultCluster(options);
    await start(started);
  });
  after(() => started?.teardown());
  // Stands for the cluster once it is started: each property is read from it at the time.
  return new Proxy({} as FaultCluster, {
    get(_target, property) {
      if (!started) throw new Error('the fault cluster is not started yet (use it inside it() or before())');
      const value: unknown = Reflect.get(started, property);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}

/** What became of a workflow ID: its status, or NOT_FOUND. */
export async function finalStatus(client: Client, workflowId: string, waitMs = 60_000): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    await client.withDeadline(Date.now() + waitMs, () => handle.result());
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
  }
  try {
    return (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
    throw error;
  }
}

/** How many runs Temporal holds for a workflow ID (more than one would be a duplicate execution). */
export async function runCount(client: Client, workflowId: string): Promise<number> {
  let count = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) count += 1;
  return count;
}

/** The figures of one fault, as docs/reliability.md tabulates them. */
export interface FaultFigures {
  fault: string;
  load: string;
  acknowledged: number;
  completed: number;
  failed: number;
  lost: number;
  duplicated: number;
  recoveryMs: number | null;
  answers: Record<string, number>;
}

/** One line of JSON per fault in the test output (grep FAULT-FIGURES), copied into docs/reliability.md. */
export function reportFigures(diagnostic: (message: string) => void, figures: FaultFigures): void {
  diagnostic(`FAULT-FIGURES ${JSON.stringify(figures)}`);
}
