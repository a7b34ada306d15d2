import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the Temporal frontend that counts the gRPC calls passing through it: every HTTP/2 HEADERS
 * frame a client sends on a new stream is one call (unary or a long poll alike). B12 points one API process at it,
 * so "Temporal calls per second" is what that API asked of Temporal, whatever its code does.
 */
export interface CallCounter {
  address: string;
  /** Calls so far, by every connection through the proxy. */
  calls(): number;
  close(): Promise<void>;
}

const PREFACE_BYTES = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
const FRAME_HEADER_BYTES = 9;
const HEADERS_FRAME = 0x1;

/** Counts client-initiated streams in one HTTP/2 byte stream (client to server direction). */
function frameCounter(onCall: () => void): (chunk: Buffer) => void {
  let skip = PREFACE_BYTES;
  let pending: Buffer = Buffer.alloc(0);
  const seen = new Set<number>();
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, pending.length);
        skip -= n;
        pending = pending.subarray(n);
        if (skip > 0) return;
      }
      if (pending.length < FRAME_HEADER_BYTES) return;
      const length = pending.readUIntBE(0, 3);
      const type = pending[3];
      const streamId = pending.readUInt32BE(5) & 0x7fffffff;
      // A request's trailers are a second HEADERS frame on the same stream; count the stream once.
      if (type === HEADERS_FRAME && streamId % 2 === 1 && !seen.has(streamId)) {
        seen.add(streamId);
        onCall();
      }
      skip = FRAME_HEADER_BYTES + length;
    }
  };
}

export async function startCallCounter(upstream: string): Promise<CallCounter> {
  const [host, port] = [
    upstream.slice(0, upstream.lastIndexOf(':')),
    Number(upstream.slice(upstream.lastIndexOf(':') + 1)),
  ];
  let calls = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const server = createConnection({ host, port });
    client.setNoDelay(true);
    server.setNoDelay(true);
    sockets.add(client).add(server);
    const count = frameCounter(() => (calls += 1));
    client.on('data', (chunk: Buffer) => {
      count(chunk);
      server.write(chunk);
    });
    server.pipe(client);
    const end = (): void => {
      client.destroy();
      server.destroy();
      sockets.delete(client);
      sockets.delete(server);
    };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('call counter: no port');
  return {
    address: `127.0.0.1:${address.port}`,
    calls: () => calls,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
