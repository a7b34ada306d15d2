import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { createHttpServer } from '../api/http/http-timeouts';
import { loadConfig } from '../common/config';
import { createTestApp, withApi, useTestServer } from './helpers/api';

// Short timeouts and a short check interval, so that each promise is seen within seconds.
const TIMEOUTS = {
  HTTP_HEADERS_TIMEOUT_MS: '500',
  HTTP_REQUEST_TIMEOUT_MS: '1000',
  HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
  HTTP_TIMEOUT_CHECK_INTERVAL_MS: '100',
};

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Opens a raw connection; resolves with what the server sent and how long after `since` it closed the socket. */
function rawConnection(port: number): { socket: Socket; closed: Promise<{ text: string; at: number }> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<{ text: string; at: number }>((resolve) =>
    socket.once('close', () => resolve({ text, at: Date.now() })),
  );
  return { socket, closed };
}

describe('slow clients: the HTTP timeouts cut slow senders and idle connections, never a long answer', () => {
  const server = useTestServer();

  it('answers 408 and closes a connection whose headers take longer than HTTP_HEADERS_TIMEOUT_MS', async () => {
    const http = createHttpServer(createTestApp(server.env.client, 'slow-tq', { env: TIMEOUTS }), loadConfig(TIMEOUTS));
    const port = await listening(http);
    try {
      const { socket, closed } = rawConnection(port);
      const sentAt = Date.now();
      // Half the headers, then nothing.
      socket.write(
        'POST /api/workflows/YourWorkflow HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n',
      );
      const { text, at } = await closed;
      assert.match(text, /^HTTP\/1\.1 408 /);
      assert.ok(at - sentAt >= 500, `cut after ${at - sentAt} ms, before the headers timeout`);
      assert.ok(at - sentAt < 3_000, `cut only after ${at - sentAt} ms`);
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });

  it('closes an idle kept-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const http = createHttpServer(createTestApp(server.env.client, 'slow-tq', { env: TIMEOUTS }), loadConfig(TIMEOUTS));
    const port = await listening(http);
    try {
      const { socket, closed } = rawConnection(port);
      let answeredAt = 0;
      socket.on('data', () => (answeredAt ||= Date.now()));
      socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
      const { text, at } = await closed;
      assert.match(text, /^HTTP\/1\.1 200 /);
      assert.match(text, /keep-alive/i);
      assert.ok(at - answeredAt >= 400, `closed ${at - answeredAt} ms after the answer, before the keep-alive timeout`);
      assert.ok(at - answeredAt < 3_000, `closed only ${at - answeredAt} ms after the answer`);
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });

  it('does not cut an answer that takes longer than every timeout (an execute waiting 3 s for its run)', async () => {
    await withApi(server, async ({ client, taskQueue }) => {
      const http = createHttpServer(createTestApp(client, taskQueue, { env: TIMEOUTS }), loadConfig(TIMEOUTS));
      const port = await listening(http);
      try {
        const startedAt = Date.now();
        const response = await fetch(`http://127.0.0.1:${port}/api/workflows/ActivityTimeoutWorkflow/execute`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            input: { name: 'Patient', timeout: 'startToClose', timeoutMs: 30_000, activityDelayMs: 3_000 },
            waitMs: 10_000,
          }),
        });
        const body = (await response.json()) as { status: string; result: string };
        const tookMs = Date.now() - startedAt;
        assert.equal(response.status, 200, JSON.stringify(body));
        assert.equal(body.status, 'COMPLETED');
        assert.equal(body.result, 'Hello, Patient!');
        assert.ok(tookMs >= 3_000, `answered after ${tookMs} ms: longer than every timeout`);
      } finally {
        http.closeAllConnections();
        http.close();
      }
    });
  });
});
