import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../api/app';
import { createApiMetrics } from '../api/metrics';
import { apiConnectionOptions } from '../api/temporal/temporal-client';
import { workflowStartMetrics } from '../api/temporal/temporal-client-metrics';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { CALLER_MEMO_KEY, REQUEST_ID_MEMO_KEY } from '../common/request-context';
import { assertCleanErrorBody, useTestServer, withApi } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { largeOrderInput } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

type LogLine = Record<string, unknown> & { message: string; level: string };

/** A logger whose JSON lines the test reads back. */
function capturedLogger(level: 'debug' | 'info' = 'info') {
  const lines: LogLine[] = [];
  const logger = createLogger('api-test', level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** The value of one sample in Prometheus text format, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && wanted.every((label) => candidate.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('operations: access log, redaction and /metrics on the API', () => {
  const server = useTestServer();

  it('logs one access line per request with request id, route template, status and duration; secrets redacted', () =>
    withApi(server, async ({ client, taskQueue }) => {
      const { logger, lines } = capturedLogger();
      const config = loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue });
      const app = createApp({ client, config, logger, draining: new AbortController().signal });
      const requestId = uniqueName('req');
      const started = await request(app)
        .post('/api/workflows/YourWorkflow')
        .set('x-request-id', requestId)
        .set('authorization', 'Bearer secret-token')
        .set('x-api-key', 'secret-key')
        .set('idempotency-key', 'secret-idempotency-key')
        .set('cookie', 'session=secret-cookie')
        .send({ input: 'Logs' })
        .expect(200);
      await request(app).get(`/api/workflows/${started.body.workflowId}/result`).query({ waitMs: 10_000 }).expect(200);
      await request(app).get('/api/workflows/no-such-workflow/result').expect(404);

      const access = lines.filter((line) => line.requestId !== undefined && 'durationMs' in line);
      const startLine = access.find((line) => line.requestId === requestId);
      assert.ok(startLine, `no access line for ${requestId}: ${JSON.stringify(lines)}`);
      assert.equal(startLine.route, '/api/workflows/YourWorkflow');
      assert.equal((startLine.res as { statusCode: number }).statusCode, 200);
      assert.equal(typeof startLine.durationMs, 'number');
      assert.equal(startLine.level, 'info');
      const headers = (startLine.req as { headers: Record<string, string> }).headers;
      assert.equal(headers.authorization, '[redacted]');
      assert.equal(headers['x-api-key'], '[redacted]');
      assert.equal(headers['idempotency-key'], '[redacted]');
      assert.equal(headers.cookie, '[redacted]');
      assert.doesNotMatch(JSON.stringify(lines), /secret-/);

      // Route templates, never IDs: the result route names {workflowId}, and an unknown workflow is still that route.
      const routes = access.map((line) => line.route);
      assert.ok(routes.includes('/api/workflows/{workflowId}/result'), `routes: ${routes}`);
      assert.ok(!routes.some((route) => String(route).includes(started.body.workflowId)), `routes: ${routes}`);

      // The workflow records the request id that started it.
      const description = await client.workflow.getHandle(started.body.workflowId).describe();
      assert.equal(description.memo?.[REQUEST_ID_MEMO_KEY], requestId);
    }));

  it('logs health, readiness and metrics requests at debug only, and other requests at info', () =>
    withApi(server, async ({ client, taskQueue }) => {
      const config = loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue });
      const quietPaths = ['/healthz', '/readyz', '/metrics'];
      for (const level of ['info', 'debug'] as const) {
        const { logger, lines } = capturedLogger(level);
        const app = createApp({ client, config, logger, draining: new AbortController().signal });
        for (const path of quietPaths) await request(app).get(path);
        await request(app).get('/openapi.json').expect(200);
        const access = lines.filter((line) => 'durationMs' in line);
        const levelOf = (path: string) =>
          access.find((line) => line.route === path || (line.req as { url?: string })?.url === path)?.level;
        for (const path of quietPaths)
          assert.equal(levelOf(path), level === 'debug' ? 'debug' : undefined, `${path} at ${level}`);
        assert.equal(levelOf('/openapi.json'), 'info', JSON.stringify(access));
      }
    }));

  it('names the caller on its access line and in the memo of a run it starts, keeping its tenant on every start path', () =>
    withApi(server, async ({ client, taskQueue }) => {
      const key = testKey('ops-script', ['workflows:start', 'workflows:read'], { tenant: 'acme' });
      const { logger, lines } = capturedLogger();
      const config = loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue, ...apiKeysEnv(key) });
      const app = createApp({ client, config, logger, draining: new AbortController().signal });
      const requestId = uniqueName('req');
      const workflowId = uniqueName('order');
      await request(app)
        .post('/api/workflows/OrderFulfilment/signal-with-start/approve')
        .set('x-api-key', key.key)
        .set('x-request-id', requestId)
        .send({ workflowId, input: largeOrderInput(), signal: { approvedBy: 'ops-script' } })
        .expect(200);
      // Signal-with-start stamps the tenant like a plain start: the tenant that started the run can see it.
      await request(app).get(`/api/workflows/${workflowId}`).set('x-api-key', key.key).expect(200);

      const accessLine = lines.find((line) => line.requestId === requestId && 'durationMs' in line);
      assert.equal(accessLine?.caller, 'ops-script', JSON.stringify(accessLine));
      const memo = (await client.workflow.getHandle(`acme~${workflowId}`).describe()).memo;
      assert.equal(memo?.[CALLER_MEMO_KEY], 'ops-script');
      assert.equal(memo?.[REQUEST_ID_MEMO_KEY], requestId);
      assert.equal(memo?.tenant, 'acme');
    }));

  it('logs an internal error with the request id the caller was given, at error', () =>
    withApi(server, async ({ taskQueue }) => {
      const { logger, lines } = capturedLogger();
      // A client whose connection is closed fails every call with an error no mapping knows.
      const connection = await Connection.connect({ address: server.env.address });
      await connection.close();
      const app = createApp({
        client: new Client({ connection }),
        config: loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue }),
        logger,
        draining: new AbortController().signal,
      });
      const response = await request(app).post('/api/workflows/YourWorkflow').send({ input: 'x' });
      assertCleanErrorBody(response, 500);
      assert.equal(response.body.code, 'INTERNAL_SERVER_ERROR');
      assert.equal(response.body.message, 'Internal server error');
      assert.equal(response.body.data.details, undefined, 'nothing was started: nothing to name');
      const requestId = response.headers['x-request-id'];
      const accessLine = lines.find((line) => line.requestId === requestId && 'durationMs' in line);
      assert.equal(accessLine?.level, 'error', JSON.stringify(lines));
    }));

  it('serves /metrics: requests by route template, workflow starts by type and result, Temporal calls, process', () =>
    withApi(server, async ({ taskQueue }) => {
      const metrics = createApiMetrics({ processMetrics: true });
      const connection = await Connection.connect(apiConnectionOptions({ address: server.env.address }, metrics));
      try {
        const client = new Client({ connection, interceptors: { workflow: [workflowStartMetrics(metrics)] } });
        const app = createApp({
          client,
          config: loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue }),
          logger: createLogger('api-test', 'silent'),
          metrics,
          draining: new AbortController().signal,
        });
        const workflowId = uniqueName('metrics');
        await request(app).post('/api/workflows/YourWorkflow').send({ input: 'M', workflowId }).expect(200);
        await request(app).post('/api/workflows/YourWorkflow').send({ input: 'M', workflowId }).expect(409);
        await request(app).post('/trpc/workflows.YourWorkflow.start').send({ input: 'tRPC' }).expect(200);
        await request(app).get('/healthz').expect(200);

        const scrape = await request(app).get('/metrics').expect(200);
        assert.match(String(scrape.headers['content-type']), /text\/plain/);
        const text = scrape.text;
        const count = 'http_server_request_duration_seconds_count';
        assert.equal(
          sample(text, count, { method: 'POST', route: '/api/workflows/YourWorkflow', status_code: '200' }),
          1,
        );
        assert.equal(
          sample(text, count, { method: 'POST', route: '/api/workflows/YourWorkflow', status_code: '409' }),
          1,
        );
        assert.equal(sample(text, count, { route: '/trpc/workflows.YourWorkflow.start', status_code: '200' }), 1);
        assert.equal(sample(text, count, { method: 'GET', route: '/healthz', status_code: '200' }), 1);
        const starts = 'temporal_http_workflow_starts_total';
        assert.equal(sample(text, starts, { workflow_type: 'YourWorkflow', result: 'started' }), 2);
        assert.equal(sample(text, starts, { workflow_type: 'YourWorkflow', result: 'already_started' }), 1);
        const calls = 'temporal_http_client_request_duration_seconds_count';
        assert.ok((sample(text, calls, { rpc: 'StartWorkflowExecution', status: 'OK' }) ?? 0) >= 2, text);
        assert.ok((sample(text, calls, { rpc: 'StartWorkflowExecution', status: 'ALREADY_EXISTS' }) ?? 0) >= 1, text);
        assert.match(text, /^temporal_http_progress_streams_open 0$/m);
        assert.match(text, /^process_cpu_user_seconds_total /m);
        assert.doesNotMatch(text, new RegExp(workflowId), 'no label carries a workflow ID');
      } finally {
        await connection.close();
      }
    }));
});
