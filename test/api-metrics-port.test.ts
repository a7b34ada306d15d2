import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { createApiMetrics } from '../api/metrics';
import { startMetricsServer } from '../api/http/metrics-server';
import { createTestApp } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { uniqueName } from './helpers/temporal';
import { useUnreachableTemporal } from './helpers/unreachable-temporal';

const key = testKey('ops', ['workflows:read']);

// The metrics name workflow types, routes and rates: not for whoever reaches the public port in production.
describe('where /metrics is served', () => {
  const temporal = useUnreachableTemporal();
  let client: Client;
  before(async () => {
    client = temporal.client();
  });
  const appWith = (env: Record<string, string>) => createTestApp(client, uniqueName('metrics'), { env });

  it('in development, on the public port (no API_METRICS_PORT)', async () => {
    const response = await request(appWith({})).get('/metrics').expect(200);
    assert.match(response.text, /^# HELP http_server_request_duration_seconds /m);
  });

  it('in production, not on the public port, with or without a key', async () => {
    const app = appWith({ NODE_ENV: 'production', ...apiKeysEnv(key) });
    await request(app).get('/metrics').expect(404);
    await request(app).get('/metrics').set('x-api-key', key.key).expect(404);
    await request(app).get('/healthz').expect(200);
  });

  it('with API_METRICS_PORT, not on the public port in development either', async () => {
    await request(appWith({ API_METRICS_PORT: '9465' }))
      .get('/metrics')
      .expect(404);
  });

  it('the metrics port answers /metrics with the registry, and nothing else', async () => {
    const metrics = createApiMetrics();
    metrics.workflowStarts.inc({ workflow_type: 'YourWorkflow', result: 'started' });
    const server: Server = await startMetricsServer(metrics.registry, { port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const scraped = await request(url).get('/metrics').expect(200);
      assert.match(String(scraped.headers['content-type']), /^text\/plain/);
      assert.match(
        scraped.text,
        /temporal_http_workflow_starts_total\{workflow_type="YourWorkflow",result="started"\} 1/,
      );
      await request(url).get('/api/me').expect(404);
      await request(url).post('/metrics').expect(404);
    } finally {
      server.close();
    }
  });

  it('a taken metrics port fails the start instead of serving without metrics', async () => {
    const first = await startMetricsServer(createApiMetrics().registry, { port: 0, host: '127.0.0.1' });
    try {
      const port = (first.address() as AddressInfo).port;
      await assert.rejects(startMetricsServer(createApiMetrics().registry, { port, host: '127.0.0.1' }), /EADDRINUSE/);
    } finally {
      first.close();
    }
  });
});
