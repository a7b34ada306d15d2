import { NativeConnection, Runtime } from '@temporalio/worker';

/**
 * The start of a worker replica's process: its four arguments (the usage line as the error when one is missing), a
 * runtime that logs nothing, and the connection to Temporal at the first argument, the address.
 */
export async function startReplica(usage: string): Promise<{
  args: [address: string, taskQueue: string, bundlePath: string, fourth: string];
  connection: NativeConnection;
}> {
  const [address, taskQueue, bundlePath, fourth] = process.argv.slice(2);
  if (!address || !taskQueue || !bundlePath || !fourth) throw new Error(`usage: ${usage}`);
  Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  const connection = await NativeConnection.connect({ address });
  return { args: [address, taskQueue, bundlePath, fourth], connection };
}
