import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of a real server, that a test can cut (a network failure) and restore, or make hang. */
export interface TcpProxy {
  address: string;
  /** When each connection through the proxy was opened (ms since the epoch), in order: a reconnect shows here. */
  readonly openedAt: readonly number[];
  /** Drops every open connection and refuses new ones, as a server that went away. */
  cut(): Promise<void>;
  /** Accepts and forwards again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (host:port) on a free loopback port. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const openedAt: number[] = [];
  const forward = (client: Socket): void => {
    openedAt.push(Date.now());
    const upstream = connect(Number(port), host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };
  let server: Server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listenPort = (server.address() as { port: number }).port;
  const closeServer = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return {
    address: `127.0.0.1:${listenPort}`,
    openedAt,
    cut: closeServer,
    async restore() {
      server = createServer(forward);
      await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
    },
    close: closeServer,
  };
}

/** A TCP server that accepts connections and never answers: calls through it hang unless something bounds them. */
export async function startBlackHole(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
