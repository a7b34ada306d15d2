// Temporal's server configuration for `npm run cluster`: config/development-postgres12.yaml of the release, with what
// running each service as its own process on one host needs (every service its own gRPC, membership, metrics and
// pprof port, all below 32768). One file per service, since the metrics and pprof ports are global settings.

/** The four services of Temporal's server, in the order they start (the frontend first: it writes the cluster's metadata). */
export const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** History shards: a fixed property of a cluster (it cannot change once the database holds data). */
export const HISTORY_SHARDS = 4;

/** The ports of one service process. */
export interface ServicePorts {
  grpc: number;
  membership: number;
  metrics: number;
  pprof: number;
  /** The frontend's HTTP API (the others have none). */
  http?: number;
}

/** How many ports a cluster takes (PostgreSQL's excluded): four per service, and the frontend's HTTP port. */
export const PORTS_PER_CLUSTER = SERVICES.length * 4 + 1;

/** Assigns `ports` (from freePortBlock) to the services. */
export function assignPorts(ports: readonly number[]): Record<ServiceName, ServicePorts> {
  let next = 0;
  const take = (): number => {
    const port = ports[next++];
    if (port === undefined) throw new Error(`a cluster needs ${PORTS_PER_CLUSTER} ports`);
    return port;
  };
  const result = {} as Record<ServiceName, ServicePorts>;
  for (const service of SERVICES) {
    result[service] = { grpc: take(), membership: take(), metrics: take(), pprof: take() };
  }
  result.frontend.http = take();
  return result;
}

export interface ConfigOptions {
  service: ServiceName;
  ports: Record<ServiceName, ServicePorts>;
  postgres: { port: number; user: string; password: string };
  logLevel: string;
  dynamicConfigFile: string;
}

/** The config file of one service process (JSON, which Temporal's YAML loader reads as is). */
export function serverConfig(options: ConfigOptions): string {
  const { ports, postgres } = options;
  const store = (databaseName: string, maxConns: number): object => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const own = ports[options.service];
  const services = Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [
      name,
      {
        rpc: {
          grpcPort: port.grpc,
          membershipPort: port.membership,
          bindOnLocalHost: true,
          ...(port.http === undefined ? {} : { httpPort: port.http }),
        },
      },
    ]),
  );
  const frontend = `127.0.0.1:${ports.frontend.grpc}`;
  const config = {
    log: { stdout: true, level: options.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        'postgres-default': store('temporal', 20),
        'postgres-visibility': store('temporal_visibility', 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      pprof: { port: own.pprof },
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${own.metrics}` },
      },
    },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontend },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    publicClient: { hostPort: frontend },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  };
  return JSON.stringify(config, null, 2);
}
