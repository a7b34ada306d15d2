import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { TENANT_SEARCH_ATTRIBUTE } from '../api/auth/tenancy';
import { createTestApp, listen, useTestServer, withApi } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { createOrderFakes, eventually, largeOrderInput } from './helpers/orders';
import { createTestWorker, uniqueName } from './helpers/temporal';

const tenantA = testKey('tenant-a', [...SCOPES], { tenant: 'acme' });
const tenantB = testKey('tenant-b', [...SCOPES], { tenant: 'globex' });
const yourOnly = testKey('your-only', [...SCOPES], { workflowTypes: ['YourWorkflow'] });

const as = (key: string) => ({
  get: (app: Express, path: string) => request(app).get(path).set('x-api-key', key),
  post: (app: Express, path: string, body: unknown = {}) =>
    request(app)
      .post(path)
      .set('x-api-key', key)
      .send(body as object),
});

describe('tenants, against a real dev server', () => {
  const server = useTestServer();
  const env = { ...apiKeysEnv(tenantA, tenantB, yourOnly), RATE_LIMIT_STREAMS_PER_CALLER: '1' };

  it("tenant A cannot describe, list, query, signal, update, cancel, terminate or stream tenant B's run", () =>
    withApi(
      server,
      async ({ app, client }) => {
        const A = as(tenantA.key);
        const B = as(tenantB.key);
        const workflowId = uniqueName('order');
        await B.post(app, '/api/workflows/OrderFulfilment', { workflowId, input: largeOrderInput() }).expect(200);
        await eventually('B sees its order awaiting approval', async () => {
          const status = await B.get(app, `/api/workflows/${workflowId}/queries/status`);
          return status.body?.step === 'awaiting_approval' ? true : undefined;
        });

        const attempts: [string, request.Test][] = [
          ['describe', A.get(app, `/api/workflows/${workflowId}`)],
          ['result', A.get(app, `/api/workflows/${workflowId}/result`)],
          ['query', A.get(app, `/api/workflows/${workflowId}/queries/status`)],
          ['signal', A.post(app, `/api/workflows/${workflowId}/signals/approve`, { approvedBy: 'mallory' })],
          [
            'update',
            A.post(app, `/api/workflows/${workflowId}/updates/changeShippingAddress`, {
              shippingAddress: largeOrderInput().shippingAddress,
            }),
          ],
          ['cancel', A.post(app, `/api/workflows/${workflowId}/cancel`)],
          ['terminate', A.post(app, `/api/workflows/${workflowId}/terminate`)],
          ['stream', A.get(app, `/api/workflows/${workflowId}/events`)],
        ];
        for (const [what, attempt] of attempts) {
          const response = await attempt;
          assert.equal(response.status, 404, `${what}: ${response.text}`);
          assert.equal(response.body.code, 'NOT_FOUND', what);
        }
        const trpc = await request(app)
          .get('/trpc/executions.describe')
          .query({ input: JSON.stringify({ workflowId }) })
          .set('x-api-key', tenantA.key);
        assert.equal(trpc.status, 404);

        // Nothing reached B's run, and it is stamped with B's tenant (search attribute and memo).
        const stored = client.workflow.getHandle(`globex~${workflowId}`);
        const description = await stored.describe();
        assert.equal(description.status.name, 'RUNNING');
        assert.equal(description.memo?.tenant, 'globex');
        assert.deepEqual(description.searchAttributes[TENANT_SEARCH_ATTRIBUTE], ['globex']);
        const status = await B.get(app, `/api/workflows/${workflowId}/queries/status`).expect(200);
        assert.equal(status.body.approval.approvedBy, undefined);

        // Lists are filtered on the server: A sees none of B's runs, B sees its own under its own ID.
        const listed = await eventually('B lists its run', async () => {
          const list = await B.get(app, '/api/workflows?type=OrderFulfilment');
          return list.body.workflows?.some((run: { workflowId: string }) => run.workflowId === workflowId)
            ? list.body
            : undefined;
        });
        assert.ok(listed.workflows.length >= 1);
        const aList = await A.get(app, '/api/workflows').expect(200);
        assert.equal(aList.body.workflows.length, 0, JSON.stringify(aList.body));

        // B may stream it; a second stream by the same caller is over its cap (429).
        const listening = await listen(app);
        const aborter = new AbortController();
        try {
          const first = await fetch(`${listening.baseUrl}/api/workflows/${workflowId}/events`, {
            headers: { 'x-api-key': tenantB.key },
            signal: aborter.signal,
          });
          assert.equal(first.status, 200);
          const second = await B.get(app, `/api/workflows/${workflowId}/events`);
          assert.equal(second.status, 429, second.text);
          assert.ok(second.headers['retry-after']);
        } finally {
          aborter.abort();
          await listening.close();
        }
        await client.workflow.getHandle(`globex~${workflowId}`).terminate('test over');
      },
      createOrderFakes(),
      env,
    ));

  it('the same business ID in two tenants gives two runs', () =>
    withApi(
      server,
      async ({ app, client }) => {
        const workflowId = uniqueName('shared');
        const a = await as(tenantA.key)
          .post(app, '/api/workflows/YourWorkflow', { workflowId, input: 'A' })
          .expect(200);
        const b = await as(tenantB.key)
          .post(app, '/api/workflows/YourWorkflow', { workflowId, input: 'B' })
          .expect(200);
        assert.equal(a.body.workflowId, workflowId);
        assert.equal(b.body.workflowId, workflowId);
        assert.notEqual(a.body.runId, b.body.runId);
        assert.equal(await client.workflow.getHandle(`acme~${workflowId}`).result(), 'Hello, A!');
        assert.equal(await client.workflow.getHandle(`globex~${workflowId}`).result(), 'Hello, B!');
        const result = await as(tenantA.key).get(app, `/api/workflows/${workflowId}/result`).expect(200);
        assert.equal(result.body.result, 'Hello, A!');
      },
      {},
      env,
    ));

  it('a key limited to some workflow types cannot start others (403) nor see their runs (404)', () =>
    withApi(
      server,
      async ({ app }) => {
        const limited = as(yourOnly.key);
        const refused = await limited.post(app, '/api/workflows/StartActivityWorkflow', { input: { name: 'x' } });
        assert.equal(refused.status, 403, refused.text);
        const other = uniqueName('other');
        await as(tenantA.key).post(app, '/api/workflows/YourWorkflow', { workflowId: other, input: 'x' }).expect(200);
        const started = await limited.post(app, '/api/workflows/YourWorkflow', { input: 'ok' }).expect(200);
        await limited.get(app, `/api/workflows/${started.body.workflowId}`).expect(200);
      },
      {},
      env,
    ));
});

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

describe('backpressure', () => {
  const server = useTestServer();

  it('answers starts with 503 and Retry-After while the task queue backlog is over its limit', async () => {
    // No worker polls this queue: every start adds a workflow task to the backlog.
    const taskQueue = uniqueName('backlog-tq');
    const app = createTestApp(server.env.client, taskQueue, {
      env: {
        BACKPRESSURE_MAX_BACKLOG_COUNT: '2',
        BACKPRESSURE_CHECK_INTERVAL_MS: '200',
      },
    });
    const refused = await eventually(
      'a start refused for the backlog',
      async () => {
        const response = await request(app).post('/api/workflows/YourWorkflow').send({ input: 'queued' });
        if (response.status === 200) return undefined;
        return response;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.body.code, 'SERVICE_UNAVAILABLE');
    assert.match(refused.body.message, /backlog/);
    assert.equal(refused.headers['retry-after'], '1');
    assert.ok(refused.body.data.details.backlogTasks > 2);
    // Reads are not starts: they still answer.
    await request(app).get('/api/workflows').expect(200);
  });

  it('refuses starts while the oldest backlog task is older than BACKPRESSURE_MAX_BACKLOG_AGE_S, reads the backlog once per interval, and accepts again once a worker drains it', async () => {
    // Every DescribeTaskQueue the app sends goes through this connection; a backlog reading is two (workflow, activity).
    let describes = 0;
    const connection = await Connection.connect({
      address: server.env.address,
      interceptors: [
        (options, nextCall) => {
          if (options.method_definition.path.endsWith('/DescribeTaskQueue')) describes++;
          return nextCall(options) as ReturnType<GrpcInterceptor>;
        },
      ],
    });
    const intervalMs = 1_000;
    try {
      // No worker polls this queue yet: the first start's workflow task waits, and ages.
      const taskQueue = uniqueName('backlog-age-tq');
      const app = createTestApp(new Client({ connection }), taskQueue, {
        env: { BACKPRESSURE_MAX_BACKLOG_AGE_S: '1', BACKPRESSURE_CHECK_INTERVAL_MS: String(intervalMs) },
      });
      await request(app).post('/api/workflows/YourWorkflow').send({ input: 'first' }).expect(200);
      const refused = await eventually(
        'a start refused for the backlog age',
        async () => {
          const response = await request(app).post('/api/workflows/YourWorkflow').send({ input: 'aged' });
          return response.status === 200 ? undefined : response;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.body.code, 'SERVICE_UNAVAILABLE');
      assert.match(refused.body.message, /backlog/);
      assert.equal(refused.headers['retry-after'], '1');
      assert.ok(refused.body.data.details.oldestBacklogAgeSeconds > 1, JSON.stringify(refused.body.data.details));

      // A burst of starts within one interval is answered from one reading: at most one more read (the interval may
      // end during the burst), never one per request.
      const before = describes;
      const burstStart = Date.now();
      for (let i = 0; i < 20; i++) {
        await request(app).post('/api/workflows/YourWorkflow').send({ input: 'burst' }).expect(503);
      }
      const burstMs = Date.now() - burstStart;
      const readings = (describes - before) / 2;
      assert.ok(readings <= Math.ceil(burstMs / intervalMs) + 1, `${readings} readings for 20 starts in ${burstMs} ms`);

      // A worker drains the queue: once a reading shows no old task, starts are accepted again.
      const worker = await createTestWorker(server.env, server.bundle, { taskQueue });
      await worker.runUntil(async () => {
        const accepted = await eventually(
          'a start accepted once the backlog drained',
          async () => {
            const response = await request(app).post('/api/workflows/YourWorkflow').send({ input: 'drained' });
            return response.status === 200 ? response : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 250 },
        );
        assert.match(accepted.body.workflowId, /\S/);
      });
    } finally {
      await connection.close();
    }
  });
});
