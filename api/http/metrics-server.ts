import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Config } from '../../common/config';

/**
 * Whether the public port answers /metrics: only in development and tests, and only when no API_METRICS_PORT is set.
 * The metrics name workflow types, routes and rates; in production they are served on their own port or not at all.
 */
export function metricsOnPublicPort(config: Pick<Config, 'NODE_ENV' | 'API_METRICS_PORT'>): boolean {
  return config.API_METRICS_PORT === undefined && config.NODE_ENV !== 'production';
}

/** The registry in Prometheus text format. */
export async function scrape(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/**
 * The API's metrics port (API_METRICS_PORT): /metrics and nothing else, for Prometheus on the cluster's network, like
 * the worker's WORKER_METRICS_PORT. Not published beside the public port.
 */
export async function startMetricsServer(registry: Registry, options: { port: number; host: string }): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ paths: ['/metrics'] }));
      return;
    }
    scrape(registry).then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
