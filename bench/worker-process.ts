import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';

type ReplicaArgs = [address: string, taskQueue: string, bundlePath: string, fourth: string];

/**
 * The start of a worker replica's process: its four arguments (the usage line as the error when one is missing), a
 * runtime that logs nothing, and the connection to Temporal at the first argument, the address.
 */
export async function startReplica(usage: string): Promise<{ args: ReplicaArgs; connection: NativeConnection }> {
  const [address, taskQueue, bundlePath, fourth] = process.argv.slice(2);
  if (!address || !taskQueue || !bundlePath || !fourth) throw new Error(`usage: ${usage}`);
  Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  const connection = await NativeConnection.connect({ address });
  return { args: [address, taskQueue, bundlePath, fourth], connection };
}

/**
 * A worker replica's life: its start (above), the worker its arguments make, run until it stops (`running` is told
 * once it runs), then its connection closed.
 */
export async function runReplica(
  usage: string,
  options: (args: ReplicaArgs) => Omit<WorkerOptions, 'connection'>,
  running: (worker: Worker) => void,
): Promise<void> {
  const { args, connection } = await startReplica(usage);
  const worker = await Worker.create({ connection, ...options(args) });
  const run = worker.run();
  running(worker);
  await run;
  await connection.close();
}

/** A benchmark process's end on failure: the error's stack on stderr, exit code 1. */
export function exitOnFailure(main: Promise<void>): void {
  main.catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
