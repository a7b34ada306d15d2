// A production-shaped Temporal cluster on loopback: PostgreSQL of its own, the schemas set up by the same script
// compose.yaml runs, and Temporal's four services as separate processes. `npm run cluster` (scripts/cluster.ts) and
// the cluster tests (test/cluster/) start it from here.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { registerSearchAttributeCommand, SERVICE_SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { startProcess, type ManagedProcess } from '../processes';
import { temporalAnswers, waitUntil } from '../dev/wait';
import { freePortBlock } from './ports';
import { createPostgres, POSTGRES_PASSWORD, POSTGRES_USER, type LocalPostgres } from './postgres';
import {
  assignPorts,
  PORTS_PER_CLUSTER,
  SERVICES,
  serverConfig,
  type ServiceName,
  type ServicePorts,
} from './server-config';

// The repository root: two levels up from the sources, more from a compiled copy (the benchmark's bench/dist/).
const ROOT = ((): string => {
  for (let dir = resolve(__dirname, '..', '..'); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'deploy', 'compose', 'setup-postgres.sh'))) return dir;
  }
  throw new Error(`no repository root above ${__dirname}`);
})();
const SCHEMA_SCRIPT = join(ROOT, 'deploy', 'compose', 'setup-postgres.sh');
// The dynamic config compose.yaml's server reads: the cluster runs with exactly what users deploy.
const DYNAMIC_CONFIG = join(ROOT, 'deploy', 'compose', 'dynamic-config.yaml');
const NAMESPACE_SCRIPT = join(ROOT, 'deploy', 'compose', 'create-namespace.sh');
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;

/** The namespace the cluster registers (as compose.yaml's temporal-namespace service does). */
export const CLUSTER_NAMESPACE = 'default';

export interface ClusterOptions {
  /** First of the consecutive ports to use (PostgreSQL takes the first); free ones below 32768 when omitted. */
  basePort?: number;
  /** Temporal's log level (default warn). */
  logLevel?: string;
  /** Called with every line the processes print, prefixed by their name. */
  onLine?: (line: string) => void;
  /** Progress messages. */
  say?: (line: string) => void;
  /** Aborting it during start-up stops what has started and rejects. */
  signal?: AbortSignal;
}

/** A running cluster; every method is safe to call while a fault is in progress. */
export interface LocalCluster {
  /** The frontend's gRPC address, `127.0.0.1:PORT`. */
  readonly address: string;
  readonly namespace: string;
  readonly postgres: LocalPostgres;
  readonly ports: Record<ServiceName, ServicePorts>;
  /** The process of a service, while it runs. */
  service(name: ServiceName): ManagedProcess | undefined;
  startService(name: ServiceName): Promise<void>;
  stopService(name: ServiceName, signal: NodeJS.Signals): Promise<void>;
  /** Stops every process (services, then PostgreSQL) and removes the cluster's directory. */
  stop(): Promise<void>;
}

function locate(script: string): string {
  return execFileSync('bash', [join(ROOT, 'scripts', script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** Starts PostgreSQL, sets up the schemas, starts the four services (frontend first), registers the namespace. */
export async function startCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  const say = options.say ?? ((): void => undefined);
  const serverDir = locate('temporal-server.sh');
  const cliDir = resolve(locate('temporal-cli.sh'), '..');
  const dir = mkdtempSync(join(tmpdir(), 'temporal-http-cluster-'));
  // PostgreSQL runs as its own user (as root): it must reach its directory inside this one.
  chmodSync(dir, 0o755);
  const [postgresPort, ...servicePorts] = await freePortBlock(PORTS_PER_CLUSTER + 1, options.basePort);
  if (postgresPort === undefined) throw new Error('no port for PostgreSQL');
  const ports = assignPorts(servicePorts);
  const address = `127.0.0.1:${ports.frontend.grpc}`;
  const env = { PATH: `${serverDir}:${cliDir}:/usr/local/bin:/usr/bin:/bin`, HOME: dir, LANG: 'C.UTF-8' };
  const processes = new Map<ServiceName, ManagedProcess>();
  const watch = (name: string) => (line: string) => options.onLine?.(`${name}: ${line}`);

  let postgres: LocalPostgres | undefined;
  const stopAll = async (): Promise<void> => {
    for (const name of [...SERVICES].reverse()) await processes.get(name)?.stop('SIGTERM', STOP_GRACE_MS);
    await postgres?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    say(`PostgreSQL on 127.0.0.1:${postgresPort} (${dir})`);
    postgres = createPostgres(join(dir, 'postgresql'), postgresPort, env);
    await postgres.start();
    options.signal?.throwIfAborted();
    say('schemas (deploy/compose/setup-postgres.sh, as compose.yaml runs it)');
    execFileSync('sh', [SCHEMA_SCRIPT], {
      env: {
        ...env,
        POSTGRES_SEEDS: '127.0.0.1',
        DB_PORT: String(postgresPort),
        POSTGRES_USER,
        SQL_PASSWORD: POSTGRES_PASSWORD,
        TEMPORAL_SCHEMA_DIR: join(serverDir, 'schema', 'postgresql', 'v12'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    const dynamicConfigFile = join(dir, 'dynamicconfig.yaml');
    copyFileSync(DYNAMIC_CONFIG, dynamicConfigFile);
    mkdirSync(join(dir, 'config'));
    for (const service of SERVICES) {
      const config = serverConfig({
        service,
        ports,
        postgres: { port: postgresPort, user: POSTGRES_USER, password: POSTGRES_PASSWORD },
        logLevel: options.logLevel ?? 'warn',
        dynamicConfigFile,
      });
      writeFileSync(join(dir, 'config', `${service}.yaml`), config);
    }

    const cluster: LocalCluster = {
      address,
      namespace: CLUSTER_NAMESPACE,
      postgres: postgres,
      ports,
      service: (name) => processes.get(name),
      async startService(name) {
        const args = [
          '--config-file',
          join(dir, 'config', `${name}.yaml`),
          '--allow-no-auth',
          'start',
          '--service',
          name,
        ];
        const child = startProcess(name, join(serverDir, 'temporal-server'), args, {
          env,
          cwd: dir,
          onLine: watch(name),
        });
        processes.set(name, child);
        // The worker service serves no gRPC; its membership port says it is up.
        await waitForPort(child, name === 'worker' ? ports[name].membership : ports[name].grpc, options.signal);
      },
      async stopService(name, signal) {
        await processes.get(name)?.stop(signal, STOP_GRACE_MS);
        processes.delete(name);
      },
      stop: stopAll,
    };

    // The frontend first: the first service up writes the cluster's metadata, and four at once race on it.
    for (const service of SERVICES) {
      options.signal?.throwIfAborted();
      say(`${service} on 127.0.0.1:${ports[service].grpc}`);
      await cluster.startService(service);
    }
    const attributes = Object.entries(SERVICE_SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`);
    say(
      `namespace ${CLUSTER_NAMESPACE} and search attributes ${attributes.join(' ')} (deploy/compose/create-namespace.sh)`,
    );
    execFileSync('sh', [NAMESPACE_SCRIPT], {
      env: {
        ...env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: CLUSTER_NAMESPACE,
        SEARCH_ATTRIBUTES: attributes.join(' '),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const up = await waitUntil(() => temporalAnswers(address, CLUSTER_NAMESPACE), { timeoutMs: START_TIMEOUT_MS });
    if (!up) throw new Error(`the cluster at ${address} does not answer for namespace ${CLUSTER_NAMESPACE}`);
    await assertAttributesRegistered(address);
    return cluster;
  } catch (error) {
    const outputs = [...processes.values()].map((child) => `--- ${child.name}\n${child.output().slice(-3000)}`);
    await stopAll();
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`the cluster did not start: ${(error as Error).message}\n${stderr}\n${outputs.join('\n')}`);
  }
}

async function waitForPort(child: ManagedProcess, port: number, signal?: AbortSignal): Promise<void> {
  const { createConnection } = await import('node:net');
  const listening = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  const up = await waitUntil(listening, {
    timeoutMs: START_TIMEOUT_MS,
    intervalMs: 200,
    givenUp: () => child.child.exitCode !== null || child.child.signalCode !== null || signal?.aborted === true,
  });
  if (!up) throw new Error(`${child.name} did not listen on ${port}:\n${child.output().slice(-4000)}`);
}

async function assertAttributesRegistered(address: string): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: CLUSTER_NAMESPACE,
    });
    for (const name of Object.keys(SERVICE_SEARCH_ATTRIBUTES)) {
      if (!customAttributes?.[name]) {
        throw new Error(`search attribute ${name} missing: ${registerSearchAttributeCommand(CLUSTER_NAMESPACE, name)}`);
      }
    }
  } finally {
    await connection.close();
  }
}
