// `npm run cluster`: a production-shaped Temporal cluster on loopback (PostgreSQL, persistence and SQL visibility on
// it, the frontend, history, matching and worker services as separate processes) until Ctrl-C; prints the frontend's
// address. Then `TEMPORAL_ADDRESS=<address> npm run dev` serves the API and a worker on it.
//   npm run cluster                       free ports below 32768 (Temporal stores ports as smallint)
//   npm run cluster -- --base-port 17000  PostgreSQL on 17000, the services on the 17 ports after it
//   npm run cluster -- --verbose          Temporal's own log lines (level info) on stderr
import { parseArgs } from 'node:util';
import { startCluster } from './cluster/cluster';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'base-port': { type: 'string' }, verbose: { type: 'boolean', default: false } },
  });
  const say = (line: string): void => void process.stderr.write(`cluster: ${line}\n`);
  const basePort = values['base-port'] === undefined ? undefined : Number(values['base-port']);
  if (basePort !== undefined && !Number.isInteger(basePort)) throw new Error('--base-port takes a port number');
  // Ctrl-C during start-up stops what has started (startCluster cleans up when aborted).
  const starting = new AbortController();
  const abortStart = (): void => starting.abort();
  process.once('SIGINT', abortStart);
  process.once('SIGTERM', abortStart);
  const cluster = await startCluster({
    signal: starting.signal,
    basePort,
    say,
    logLevel: values.verbose ? 'info' : 'warn',
    onLine: values.verbose ? (line) => void process.stderr.write(`${line}\n`) : undefined,
  });
  process.off('SIGINT', abortStart);
  process.off('SIGTERM', abortStart);
  say(`ready: persistence and visibility on PostgreSQL 127.0.0.1:${cluster.postgres.port}; Ctrl-C stops everything`);
  say(`TEMPORAL_ADDRESS=${cluster.address} npm run dev`);
  process.stdout.write(`${cluster.address}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping the services, then PostgreSQL`);
    cluster.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  for (const name of ['frontend', 'history', 'matching', 'worker'] as const) {
    void cluster.service(name)?.exited.then((exit) => {
      if (stopping) return;
      say(`${name} ended (${exit.signal ?? `exit code ${exit.code}`}); stopping the cluster`);
      stop('exit');
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
