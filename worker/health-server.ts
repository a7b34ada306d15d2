import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State } from '@temporalio/worker';

/** What the worker's probes ask: the worker's state (ready while it polls), STARTING before the worker exists. */
export interface WorkerProbe {
  getState(): State | 'STARTING';
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Relays a scrape of /metrics to the SDK's exporter, which listens on loopback only. */
function relayMetrics(sdkMetricsAddress: string, req: IncomingMessage, res: ServerResponse): void {
  const upstream = get(
    `http://${sdkMetricsAddress}/metrics`,
    { headers: { accept: req.headers.accept ?? '*/*' } },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, { 'content-type': reply.headers['content-type'] ?? 'text/plain' });
      reply.pipe(res);
    },
  );
  upstream.on('error', () =>
    answer(res, 502, { status: 'unavailable', message: 'the SDK metrics exporter is not answering' }),
  );
}

/**
 * The worker's one operations port: /healthz (alive unless the worker failed), /readyz (ready once it polls, not
 * while it drains) and /metrics, the SDK's own Prometheus exporter relayed from loopback. One port, so that an
 * orchestrator's probes and Prometheus's scrapes need to know one number (WORKER_METRICS_PORT).
 */
export async function startWorkerOpsServer(
  probe: WorkerProbe,
  options: { port: number; host?: string; sdkMetricsAddress: string },
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    const state = probe.getState();
    if (path === '/healthz') {
      if (state === 'FAILED') answer(res, 503, { status: 'failed', state });
      else answer(res, 200, { status: 'ok', state });
    } else if (path === '/readyz') {
      if (state === 'RUNNING') answer(res, 200, { status: 'ready', state });
      else answer(res, 503, { status: 'not ready', state });
    } else if (path === '/metrics') {
      relayMetrics(options.sdkMetricsAddress, req, res);
    } else {
      answer(res, 404, { status: 'not found', paths: ['/healthz', '/readyz', '/metrics'] });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return server;
}

/** A loopback port that was free a moment ago, for the SDK's exporter (it cannot report a port it picked itself). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
