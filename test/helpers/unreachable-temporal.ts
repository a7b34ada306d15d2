import { after, before } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { apiConnectionOptions } from '../../api/temporal/temporal-client';
import { freePort } from './processes';

/**
 * For suites whose requests never reach Temporal (credentials, headers, input checked first) or must find it
 * unreachable: a lazy connection, with the API's own options, to a free port nothing listens on, opened before the
 * suite's tests and closed after them. Call it before the hooks that use `client()`; each call is a new Client over
 * that one connection.
 */
export function useUnreachableTemporal(): { client(): Client } {
  let connection: Connection | undefined;
  before(async () => {
    connection = Connection.lazy(apiConnectionOptions({ address: `127.0.0.1:${await freePort()}` }));
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
