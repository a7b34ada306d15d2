import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startCluster, type LocalCluster } from '../../scripts/cluster/cluster';
import { ensureBuilt } from './fault-cluster';
import { listeningPort, spawnNode, type RunningProcess } from './processes';
import { uniqueName } from './temporal';

const DIST = join(__dirname, '..', '..', 'dist');
const START_TIMEOUT_MS = 60_000;

/**
 * The service as production runs it, on `npm run cluster`'s Temporal (four services on PostgreSQL): API replicas and
 * worker replicas, each a real process from dist/ with NODE_ENV=production.
 */
export interface ClusterDeployment {
  readonly cluster: LocalCluster;
  /** A client of the test's own, to check what Temporal holds. */
  readonly client: Client;
  readonly taskQueue: string;
  readonly apis: RunningProcess[];
  readonly apiUrls: string[];
  readonly workers: RunningProcess[];
  /** Starts (again) the API replica `index` on its port, as a restarted pod behind its Service. */
  startApi(index: number): Promise<RunningProcess>;
  teardown(): Promise<void>;
}

export interface DeploymentOptions {
  apiReplicas?: number;
  workerReplicas?: number;
  /** Settings every API and worker process gets (AUTH_API_KEYS, the limits, …). */
  env?: Record<string, string>;
}

export async function startClusterDeployment(options: DeploymentOptions = {}): Promise<ClusterDeployment> {
  ensureBuilt();
  const cluster = await startCluster({ logLevel: 'error' });
  const taskQueue = uniqueName('cluster-tq');
  // 0 until a replica first listens (it binds a free port and logs it); a restarted replica asks for its old port.
  const ports: number[] = Array.from({ length: options.apiReplicas ?? 2 }, () => 0);
  const apiUrls: string[] = [];
  const baseEnv = {
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: cluster.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    // The worker ships only the in-memory order services; production refuses them unless told otherwise.
    ALLOW_FAKE_SERVICES_IN_PRODUCTION: 'true',
    ...options.env,
  };
  const apis: RunningProcess[] = [];
  const workers: RunningProcess[] = [];
  const connection = await Connection.connect({ address: cluster.address });
  const deployment: ClusterDeployment = {
    cluster,
    client: new Client({ connection, namespace: cluster.namespace }),
    taskQueue,
    apis,
    workers,
    apiUrls,
    async startApi(index) {
      const api = spawnNode(`api-${index}`, [join(DIST, 'api/main.js')], { ...baseEnv, PORT: String(ports[index]) });
      apis[index] = api;
      ports[index] = listeningPort(await api.waitForLine(/"message":"api listening"/, START_TIMEOUT_MS));
      apiUrls[index] = `http://127.0.0.1:${ports[index]}`;
      return api;
    },
    async teardown() {
      await Promise.all([...apis, ...workers].map((child) => child.stop('SIGKILL', 1_000)));
      await connection.close().catch(() => undefined);
      await cluster.stop();
    },
  };
  try {
    for (let index = 0; index < (options.workerReplicas ?? 2); index++) {
      const worker = spawnNode(`worker-${index}`, [join(DIST, 'worker/main.js')], {
        ...baseEnv,
        WORKFLOW_BUNDLE_PATH: join(DIST, 'workflow-bundle.js'),
        WORKER_METRICS_PORT: '0',
      });
      workers.push(worker);
    }
    await Promise.all([
      ...workers.map((worker) => worker.waitForLine(/"message":"worker polling"/, START_TIMEOUT_MS)),
      ...ports.map((_, index) => deployment.startApi(index)),
    ]);
  } catch (error) {
    await deployment.teardown();
    throw error;
  }
  return deployment;
}
