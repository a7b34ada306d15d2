import { after, before } from 'node:test';
import { createServer, type Server } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { apiConnectionOptions } from '../../api/temporal/temporal-client';

/**
 * A loopback address where nothing speaks gRPC: a socket the suite keeps listening, that drops every connection as it
 * arrives, opened before the suite's tests and closed after them. A port that was merely free a moment ago could be
 * taken by another process meanwhile; this one stays the suite's. Call it before the hooks that use `address()`.
 */
export function useUnreachableAddress(): { address(): string } {
  let server: Server | undefined;
  before(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject);
      server?.listen(0, '127.0.0.1', resolve);
    });
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  return {
    address() {
      const bound = server?.address();
      if (!bound || typeof bound !== 'object')
        throw new Error('address() runs in a hook or test, after the suite has started');
      return `127.0.0.1:${bound.port}`;
    },
  };
}

/**
 * For suites whose requests never reach Temporal (credentials, headers, input checked first) or must find it
 * unreachable: a lazy connection, with the API's own options, to an address nothing answers on (useUnreachableAddress),
 * opened before the suite's tests and closed after them. Call it before the hooks that use `client()`; each call is a
 * new Client over that one connection.
 */
export function useUnreachableTemporal(): { client(): Client } {
  const unreachable = useUnreachableAddress();
  let connection: Connection | undefined;
  before(() => {
    connection = Connection.lazy(apiConnectionOptions({ address: unreachable.address() }));
  });
  after(async () => {
    await connection?.close();
  });
  return {
    client() {
      if (!connection) throw new Error('no connection: client() runs in a hook or test, after the suite has started');
      return new Client({ connection });
    },
  };
}
