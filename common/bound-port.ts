import type { Server } from 'node:net';

/** The port a listening server bound (port 0 asks the OS for a free one; the logs say which it got). */
export function boundPort(server: Server, asked: number): number {
  const address = server.address();
  return address !== null && typeof address === 'object' ? address.port : asked;
}
