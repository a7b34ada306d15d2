import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { appRouter } from '../api/router';
import { apiConnectionOptions } from '../api/temporal/temporal-client';
import { createApiMetrics } from '../api/metrics';
import { createSecurityServices } from '../api/auth/security-services';
import { createCallerFactory } from '../api/trpc';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { assertCleanErrorBody, createTestApp, listen, useTestServer, withApi, workflowExists } from './helpers/api';
import { eventually, largeOrderInput, startOrderAwaitingApproval } from './helpers/orders';
import { grpcCallCounter } from './helpers/grpc-calls';
import { openSse } from './helpers/sse';
import { startBlackHole, startTcpProxy } from './helpers/tcp-proxy';
import { createTestWorker, uniqueName } from './helpers/temporal';

// Generous: these bound hangs (a wait that never answers), not speed, on a machine shared by other work.
const PROMPT_MS = 8_000;

describe('reliability at the edges (in-process API, real dev server)', () => {
  const server = useTestServer();

  describe('graceful drain (the API side of shutdown)', () => {
    it('fails readiness, answers new requests 503 with Retry-After, ends open waits with 202 RUNNING and streams with a retry hint', () =>
      withApi(server, async ({ client, taskQueue }) => {
        const drain = new AbortController();
        const app = createTestApp(client, taskQueue, { draining: drain.signal });
        const workflowId = await startOrderAwaitingApproval(app);
        const executeId = uniqueName('order');
        const api = await listen(app);
        try {
          await request(app).get('/readyz').expect(200);
          // Open waits: an execute that will outlast any test, and a result wait on the order awaiting approval.
          const execute = request(app)
            .post('/api/workflows/OrderFulfilment/execute')
            .send({ input: largeOrderInput(), workflowId: executeId, waitMs: 60_000 })
            .then((response) => response);
          const result = request(app)
            .get(`/api/workflows/${workflowId}/result`)
            .query({ waitMs: 60_000 })
            .then((response) => response);
          const stream = await openSse(`${api.baseUrl}/api/workflows/${workflowId}/events`);
          const first = await stream.events.next();
          assert.equal(first.done, false);
          await eventually('the execute to have started its workflow', async () =>
            (await workflowExists(client, executeId)) ? true : undefined,
          );

          const drainStartedAt = Date.now();
          drain.abort();
          const [executed, waited] = await Promise.all([execute, result]);
          const answeredInMs = Date.now() - drainStartedAt;
          assert.ok(answeredInMs < PROMPT_MS, `waits answered ${answeredInMs} ms after the drain started`);

          assert.equal(executed.status, 202, executed.text);
          assert.equal(executed.body.status, 'RUNNING');
          assert.equal(executed.body.workflowId, executeId);
          assert.equal(executed.body.resultUrl, `/api/workflows/${executeId}/result`);
          assert.equal(executed.headers.location, executed.body.resultUrl);
          assert.equal(waited.status, 200, waited.text);
          assert.equal(waited.body.status, 'RUNNING');
          assert.equal(waited.body.resultUrl, `/api/workflows/${workflowId}/result`);

          const rest: string[] = [];
          for await (const event of stream.events) rest.push(`${event.event}:${event.retry ?? ''}`);
          assert.deepEqual(rest, ['draining:1000'], 'the stream ends with a retry hint so EventSource reconnects');

          const ready = await request(app).get('/readyz');
          assert.equal(ready.status, 503);
          assert.equal(ready.body.status, 'draining');
          await request(app).get('/healthz').expect(200);
          const refused = await request(app).post('/api/workflows/YourWorkflow').send({ input: 'late' });
          assertCleanErrorBody(refused, 503);
          assert.equal(refused.headers['retry-after'], '1');
          assert.match(refused.body.message, /shutting down/);
          // The workflows themselves go on: the drain ends waits, not work.
          assert.equal((await client.workflow.getHandle(executeId).describe()).status.name, 'RUNNING');
        } finally {
          await api.close();
          await client.workflow.getHandle(workflowId).terminate('test done');
          await client.workflow
            .getHandle(executeId)
            .terminate('test done')
            .catch(() => undefined);
        }
      }));
  });

  describe('admission control', () => {
    it('refuses work beyond API_MAX_IN_FLIGHT at once with 503 and Retry-After, starts nothing for it, then serves again', () =>
      withApi(server, async ({ client, taskQueue }) => {
        const app = createTestApp(client, taskQueue, { env: { API_MAX_IN_FLIGHT: '2' } });
        const workflowId = await startOrderAwaitingApproval(app);
        const api = await listen(app);
        try {
          // Two long waits fill the bound.
          const holders = [1, 2].map(() => fetch(`${api.baseUrl}/api/workflows/${workflowId}/result?waitMs=5000`));
          // A describe of no workflow costs nothing when admitted (404), and is refused once both waits hold a slot.
          await eventually('the two waits to fill the bound', async () =>
            (await request(api.baseUrl).get(`/api/workflows/${uniqueName('probe')}`)).status === 503 ? true : undefined,
          );
          const refusedId = uniqueName('refused');
          const startedAt = Date.now();
          const refused = await request(api.baseUrl)
            .post('/api/workflows/YourWorkflow')
            .send({ input: 'x', workflowId: refusedId });
          const elapsed = Date.now() - startedAt;
          assertCleanErrorBody(refused, 503);
          assert.equal(refused.headers['retry-after'], '1');
          assert.match(refused.body.message, /Overloaded/);
          assert.ok(elapsed < 2_000, `a refusal is immediate, took ${elapsed} ms`);
          assert.equal(await workflowExists(client, refusedId), false, 'no workflow for a refused request');
          // Health stays outside the bound: an orchestrator must not restart an API for being busy.
          await request(api.baseUrl).get('/healthz').expect(200);
          await Promise.all(holders);
          const served = await request(api.baseUrl)
            .post('/api/workflows/YourWorkflow')
            .send({ input: 'x', workflowId: refusedId });
          assert.equal(served.status, 200, served.text);
        } finally {
          await api.close();
          await client.workflow.getHandle(workflowId).terminate('test done');
        }
      }));
  });

  describe('no answer hides a started run', () => {
    it('names workflowId, runId and resultUrl when Temporal goes away after the start', async () => {
      const proxy = await startTcpProxy(server.env.address);
      const calls = grpcCallCounter();
      const options = apiConnectionOptions({ address: proxy.address });
      const connection = await Connection.connect({
        ...options,
        interceptors: [calls.interceptor, ...(options.interceptors ?? [])],
      });
      const taskQueue = uniqueName('cut-tq');
      const worker = await createTestWorker(server.env, server.bundle, { taskQueue });
      try {
        await worker.runUntil(async () => {
          const app = createTestApp(new Client({ connection }), taskQueue);
          const workflowId = uniqueName('order');
          const execute = request(app)
            .post('/api/workflows/OrderFulfilment/execute')
            .send({ input: largeOrderInput(), workflowId, waitMs: 60_000 })
            .then((response) => response);
          await eventually('the workflow to start', async () =>
            (await workflowExists(server.env.client, workflowId)) ? true : undefined,
          );
          await eventually('the execute to be in its result wait', async () =>
            calls.count(workflowId, 'GetWorkflowExecutionHistory') > 0 ? true : undefined,
          );
          const cutAt = Date.now();
          await proxy.cut();
          const answer = await execute;
          const elapsed = Date.now() - cutAt;
          assertCleanErrorBody(answer, 503);
          assert.equal(answer.headers['retry-after'], '1');
          const details = answer.body.data.details as { workflowId: string; runId: string; resultUrl: string };
          const run = await server.env.client.workflow.getHandle(workflowId).describe();
          assert.deepEqual(details, { workflowId, runId: run.runId, resultUrl: `/api/workflows/${workflowId}/result` });
          assert.match(answer.body.message, /was started/);
          assert.ok(elapsed < PROMPT_MS, `the 503 came ${elapsed} ms after the cut`);
          await server.env.client.workflow.getHandle(workflowId).terminate('test done');
        });
      } finally {
        await connection.close();
        await proxy.close();
      }
    });

    it('does not start a workflow for a caller that has gone away', async () => {
      const gone = new AbortController();
      gone.abort();
      const config = loadConfig({ TEMPORAL_TASK_QUEUE: uniqueName('gone-tq'), LOG_LEVEL: 'silent' });
      const security = createSecurityServices(server.env.client, config);
      const caller = createCallerFactory(appRouter)({
        client: server.env.client,
        config,
        logger: createLogger('test', 'silent'),
        draining: new AbortController().signal,
        requestId: 'r1',
        idempotencyKey: undefined,
        signal: gone.signal,
        response: {},
        security,
        authenticate: () => security.authenticator.authenticate({}),
        clientIp: '127.0.0.1',
        responseHeaders: {},
        metrics: createApiMetrics(),
        route: { procedures: [] },
      });
      const workflowId = uniqueName('gone');
      await assert.rejects(caller.workflows.YourWorkflow.start({ input: 'x', workflowId }), {
        code: 'CLIENT_CLOSED_REQUEST',
      });
      assert.equal(await workflowExists(server.env.client, workflowId), false);
    });
  });

  describe('waits bounded whatever the connection does', () => {
    it('answers result, execute and describe 503 by their bounds through a connection that never answers', async (t) => {
      const hole = await startBlackHole();
      const connection = Connection.lazy(apiConnectionOptions({ address: hole.address }));
      const app = createTestApp(new Client({ connection }), uniqueName('hole-tq'));
      try {
        const calls = {
          result: () =>
            request(app)
              .get(`/api/workflows/${uniqueName('wf')}/result`)
              .query({ waitMs: 2_000 }),
          execute: () => request(app).post('/api/workflows/YourWorkflow/execute').send({ input: 'x', waitMs: 2_000 }),
          describe: () => request(app).get(`/api/workflows/${uniqueName('wf')}`),
        };
        await Promise.all(
          Object.entries(calls).map(async ([name, call]) => {
            const startedAt = Date.now();
            const response = await call();
            const elapsed = Date.now() - startedAt;
            t.diagnostic(`${name}: ${response.status} in ${elapsed} ms`);
            assertCleanErrorBody(response, 503);
            assert.equal(response.headers['retry-after'], '1');
            // Bounded by the 5 s call deadline (api/operations/workflow-operations.ts), not by the connection.
            assert.ok(elapsed < PROMPT_MS, `${name} took ${elapsed} ms`);
          }),
        );
      } finally {
        await connection.close().catch(() => undefined);
        await hole.close();
      }
    });
  });

  describe('updates bounded too', () => {
    it('answers an update no worker accepts with 503 by its wait, naming the update to check', async () => {
      const app = createTestApp(server.env.client, uniqueName('no-worker-tq'));
      const workflowId = uniqueName('order');
      await request(app)
        .post('/api/workflows/OrderFulfilment')
        .send({ input: largeOrderInput(), workflowId })
        .expect(200);
      try {
        const startedAt = Date.now();
        const response = await request(app)
          .post(`/api/workflows/${workflowId}/updates/changeShippingAddress`)
          .set('idempotency-key', 'update-key-1')
          .send({ shippingAddress: largeOrderInput().shippingAddress, waitMs: 1_500 });
        const elapsed = Date.now() - startedAt;
        assertCleanErrorBody(response, 503);
        assert.equal(response.headers['retry-after'], '1');
        assert.deepEqual(response.body.data.details, {
          workflowId,
          updateId: 'update-key-1',
          resultUrl: `/api/workflows/${workflowId}/updates/update-key-1/result`,
          updateInDoubt: true,
        });
        assert.ok(elapsed < PROMPT_MS, `took ${elapsed} ms`);
      } finally {
        await server.env.client.workflow.getHandle(workflowId).terminate('test done');
      }
    });
  });

  describe('recovery', () => {
    it('reports ready again within about a second of Temporal coming back', async (t) => {
      const proxy = await startTcpProxy(server.env.address);
      const connection = await Connection.connect(apiConnectionOptions({ address: proxy.address }));
      const app = createTestApp(new Client({ connection }), uniqueName('ready-tq'));
      try {
        await request(app).get('/readyz').expect(200);
        await proxy.cut();
        await eventually('readiness to fail', async () =>
          (await request(app).get('/readyz')).status === 503 ? true : undefined,
        );
        // Long enough for grpc-js's default back-off to have grown past 10 s; the capped one stays at 1 s.
        await sleep(6_000);
        await proxy.restore();
        const backAt = Date.now();
        await eventually(
          'readiness to recover',
          async () => ((await request(app).get('/readyz')).status === 200 ? true : undefined),
          { timeoutMs: 10_000, intervalMs: 50 },
        );
        const recoveredInMs = Date.now() - backAt;
        t.diagnostic(`ready ${recoveredInMs} ms after Temporal came back`);
        assert.ok(recoveredInMs < 4_000, `took ${recoveredInMs} ms`);
      } finally {
        await connection.close();
        await proxy.close();
      }
    });
  });

  describe('honest task-queue view', () => {
    it('marks pollers of a stopped worker stale once they are not seen within the poll interval', async () => {
      const taskQueue = uniqueName('stale-tq');
      const app = createTestApp(server.env.client, taskQueue, { env: { TASK_QUEUE_POLLER_STALE_MS: '1500' } });
      const worker = await createTestWorker(server.env, server.bundle, { taskQueue });
      await worker.runUntil(async () => {
        const live = await eventually('the worker to poll', async () => {
          const body = (await request(app).get(`/api/task-queues/${taskQueue}`).expect(200)).body;
          return body.workflowPollers.length > 0 ? body : undefined;
        });
        assert.equal(live.pollerStaleAfterSeconds, 1.5);
        assert.equal(live.workflowPollers[0].stale, false);
      });
      // Stopped: Temporal goes on listing its pollers for minutes; the view says they are stale.
      const view = await eventually(
        'the pollers to turn stale',
        async () => {
          const body = (await request(app).get(`/api/task-queues/${taskQueue}`).expect(200)).body;
          const pollers = [...body.workflowPollers, ...body.activityPollers] as { stale: boolean }[];
          return pollers.length > 0 && pollers.every((poller) => poller.stale) ? body : undefined;
        },
        { timeoutMs: 20_000 },
      );
      assert.ok(view.workflowPollers.length > 0, 'Temporal still lists the stopped worker');
    });
  });
});
