import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { assertErrorAnswer, createTestApp, withApi, useTestServer } from './helpers/api';
import { eventually, largeOrderInput } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

interface Listed {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  taskQueue: string;
  startTime: string | null;
  closeTime: string | null;
}
interface Page {
  workflows: Listed[];
  nextPageToken: string | null;
}

async function listPage(app: Express, query: Record<string, string | number>): Promise<Page> {
  const response = await request(app).get('/api/workflows').query(query);
  assert.equal(response.status, 200, response.text);
  return response.body as Page;
}

/** Visibility lags behind starts and closes: list until every expected ID shows up with the filter. */
function listUntil(app: Express, query: Record<string, string>, ids: string[]): Promise<Listed[]> {
  return eventually(`${ids.join(', ')} listed with ${JSON.stringify(query)}`, async () => {
    const { workflows } = await listPage(app, { ...query, pageSize: 100 });
    const seen = new Set(workflows.map((row) => row.workflowId));
    return ids.every((id) => seen.has(id)) ? workflows : undefined;
  });
}

async function startGreetings(app: Express, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => uniqueName('greeting'));
  for (const workflowId of ids) {
    const done = await request(app)
      .post('/api/workflows/YourWorkflow/execute')
      .send({ input: 'World', workflowId, waitMs: 10_000 });
    assert.equal(done.body.status, 'COMPLETED', done.text);
  }
  return ids;
}

describe('REST lifecycle: listing workflows and task queues', () => {
  const server = useTestServer();

  it('lists workflows filtered by type and status', () =>
    withApi(server, async ({ app, taskQueue }) => {
      const greetings = await startGreetings(app, 2);
      const orderId = uniqueName('order');
      await request(app)
        .post('/api/workflows/OrderFulfilment')
        .send({ input: largeOrderInput(), workflowId: orderId })
        .expect(200);

      const completed = await listUntil(app, { type: 'YourWorkflow', status: 'COMPLETED' }, greetings);
      for (const row of completed) {
        assert.equal(row.type, 'YourWorkflow');
        assert.equal(row.status, 'COMPLETED');
        assert.ok(row.closeTime, `a completed workflow has a close time: ${JSON.stringify(row)}`);
      }
      assert.ok(!completed.some((row) => row.workflowId === orderId));
      const mine = completed.find((row) => row.workflowId === greetings[0]);
      assert.equal(mine?.taskQueue, taskQueue);

      const running = await listUntil(app, { type: 'OrderFulfilment', status: 'RUNNING' }, [orderId]);
      for (const row of running) {
        assert.equal(row.type, 'OrderFulfilment');
        assert.equal(row.status, 'RUNNING');
        assert.equal(row.closeTime, null);
      }
      const stillRunning = await listPage(app, { type: 'OrderFulfilment', status: 'COMPLETED', pageSize: 100 });
      assert.ok(!stillRunning.workflows.some((row) => row.workflowId === orderId));
    }));

  it('pages through the list with pageSize and nextPageToken until the token is null', () =>
    withApi(server, async ({ app }) => {
      const greetings = await startGreetings(app, 3);
      const filter = { type: 'YourWorkflow', status: 'COMPLETED' };
      await listUntil(app, filter, greetings);

      const seen: string[] = [];
      let page = await listPage(app, { ...filter, pageSize: 1 });
      for (let pages = 1; ; pages++) {
        assert.ok(page.workflows.length <= 1, `page of ${page.workflows.length} rows with pageSize 1`);
        seen.push(...page.workflows.map((row) => row.workflowId));
        if (page.nextPageToken === null) break;
        assert.ok(pages < 50, 'pagination does not end');
        const next = await listPage(app, { ...filter, pageSize: 1, pageToken: page.nextPageToken });
        if (next.workflows[0] && page.workflows[0]) {
          assert.notEqual(next.workflows[0].workflowId, page.workflows[0].workflowId, 'the next page repeats a row');
        }
        page = next;
      }
      assert.equal(new Set(seen).size, seen.length, `a workflow was listed twice: ${seen.join(', ')}`);
      for (const id of greetings) assert.ok(seen.includes(id), `${id} not on any page`);
      assert.ok(seen.length >= 3);
    }));

  it('answers 400 for an unknown type, status or page token', () =>
    withApi(server, async ({ app }) => {
      for (const query of [{ type: 'NoSuchWorkflow' }, { status: 'SLEEPING' }, { pageToken: 'not a token!' }]) {
        const response = await request(app).get('/api/workflows').query(query);
        assertErrorAnswer(response, 400);
        assert.equal(response.body.code, 'BAD_REQUEST');
      }
      const tooBig = await request(app).get('/api/workflows').query({ pageSize: 1000 });
      assertErrorAnswer(tooBig, 400);
    }));

  it('answers 400 for a visibility-query injection in type, without calling Temporal', async () => {
    // A real client whose gRPC calls are recorded (not replaced): what the app sends to Temporal, if anything.
    const calls: string[] = [];
    const recorder: Interceptor = (options, nextCall) => {
      calls.push(options.method_definition.path);
      return new InterceptingCall(nextCall(options));
    };
    const connection = await Connection.connect({ address: server.env.address, interceptors: [recorder] });
    try {
      const client = new Client({ connection, namespace: server.env.namespace ?? 'default' });
      const app = createTestApp(client, uniqueName('list-tq'));
      const listCalls = () => calls.filter((path) => path.endsWith('/ListWorkflowExecutions')).length;

      for (const type of ["YourWorkflow' OR 1=1", 'YourWorkflow" OR WorkflowType != "x', 'YourWorkflow OR 1=1']) {
        const response = await request(app).get('/api/workflows').query({ type });
        assertErrorAnswer(response, 400);
        assert.deepEqual(
          response.body.data.fieldErrors.map((issue: { path: string }) => issue.path),
          ['type'],
        );
      }
      assert.equal(listCalls(), 0, 'an invalid filter reached Temporal');

      // The recorder does see a list that is allowed through, so the zero above means something.
      await request(app).get('/api/workflows').query({ type: 'YourWorkflow' }).expect(200);
      assert.equal(listCalls(), 1);
    } finally {
      await connection.close();
    }
  });

  it("shows the test worker among the task queue's workflow and activity pollers", () =>
    withApi(server, async ({ app, taskQueue }) => {
      const view = await eventually('the worker to poll both kinds of task', async () => {
        const response = await request(app).get(`/api/task-queues/${taskQueue}`);
        assert.equal(response.status, 200, response.text);
        const body = response.body as { workflowPollers: unknown[]; activityPollers: unknown[] };
        return body.workflowPollers.length > 0 && body.activityPollers.length > 0 ? response.body : undefined;
      });
      assert.equal(view.taskQueue, taskQueue);
      // The SDK's default worker identity is "<pid>@<host>": this process's worker.
      for (const poller of [...view.workflowPollers, ...view.activityPollers]) {
        assert.ok(poller.identity.startsWith(`${process.pid}@`), `unexpected poller ${poller.identity}`);
        assert.ok(poller.lastAccessTime, 'a poller has a last access time');
      }
    }));

  it('reports a backlog of workflow tasks on a queue no worker polls', async () => {
    const taskQueue = uniqueName('unpolled-tq');
    const client = server.env.client;
    const app = createTestApp(client, taskQueue);
    const ids: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const started = await request(app)
          .post('/api/workflows/YourWorkflow')
          .send({ input: `n${i}` });
        assert.equal(started.status, 200, started.text);
        ids.push(started.body.workflowId);
      }
      const view = await eventually('the backlog to be reported', async () => {
        const response = await request(app).get(`/api/task-queues/${taskQueue}`);
        assert.equal(response.status, 200, response.text);
        return response.body.backlog.workflowTasks > 0 ? response.body : undefined;
      });
      assert.deepEqual(view.workflowPollers, []);
      assert.deepEqual(view.activityPollers, []);
      assert.equal(view.backlog.workflowTasks, 3);
      assert.equal(view.backlog.activityTasks, 0);
      assert.ok(view.backlog.oldestWorkflowTaskAgeSeconds >= 0);
    } finally {
      await Promise.all(ids.map((id) => client.workflow.getHandle(id).terminate('test done')));
    }
  });

  it('answers 400 for an invalid task queue name', () =>
    withApi(server, async ({ app }) => {
      const response = await request(app).get('/api/task-queues/has%20a%20space');
      assertErrorAnswer(response, 400);
    }));
});
