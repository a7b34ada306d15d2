import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { withApi, useTestServer } from './helpers/api';
import { uniqueName } from './helpers/temporal';

/** Starts a StartActivityWorkflow whose activity takes 3 s: still running while the test reads it. */
function startSlowWorkflow(app: Express) {
  return request(app)
    .post('/api/workflows/StartActivityWorkflow')
    .send({ input: { name: 'Slow', startedActivityDelayMs: 3000 } })
    .expect(200);
}

describe('REST: starting, executing and reading workflows', () => {
  const server = useTestServer();

  it('starts YourWorkflow with a generated ID, then serves its result', () =>
    withApi(server, async ({ app, client, taskQueue }) => {
      const started = await request(app).post('/api/workflows/YourWorkflow').send({ input: 'World' }).expect(200);
      assert.match(started.body.workflowId, /^YourWorkflow-/);
      assert.equal(typeof started.body.runId, 'string');

      // The start really reached Temporal, on the configured task queue.
      const description = await client.workflow.getHandle(started.body.workflowId).describe();
      assert.equal(description.runId, started.body.runId);
      assert.equal(description.taskQueue, taskQueue);

      const result = await request(app)
        .get(`/api/workflows/${started.body.workflowId}/result`)
        .query({ waitMs: 5000 })
        .expect(200);
      assert.deepEqual(result.body, {
        workflowId: started.body.workflowId,
        runId: started.body.runId,
        status: 'COMPLETED',
        result: 'Hello, World!',
      });
    }));

  it('uses the workflow ID the client gives', () =>
    withApi(server, async ({ app, client }) => {
      const workflowId = uniqueName('order-42');
      const started = await request(app)
        .post('/api/workflows/YourWorkflow')
        .send({ input: 'Temporal', workflowId })
        .expect(200);
      assert.equal(started.body.workflowId, workflowId);
      assert.equal(await client.workflow.getHandle(workflowId).result(), 'Hello, Temporal!');
    }));

  it('executes YourWorkflow and answers 200 with its result', () =>
    withApi(server, async ({ app }) => {
      const response = await request(app).post('/api/workflows/YourWorkflow/execute').send({ input: 'World' });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.status, 'COMPLETED');
      assert.equal(response.body.result, 'Hello, World!');
      assert.match(response.body.workflowId, /^YourWorkflow-/);
      assert.equal(response.headers.location, undefined);
    }));

  it('answers 202 RUNNING with where to look when execute outlasts waitMs, and the workflow goes on', () =>
    withApi(server, async ({ app, client }) => {
      const startedAt = Date.now();
      const response = await request(app)
        .post('/api/workflows/StartActivityWorkflow/execute')
        .send({ input: { name: 'Slow', startedActivityDelayMs: 3000 }, waitMs: 300 });
      assert.equal(response.status, 202, response.text);
      assert.ok(Date.now() - startedAt < 2500, 'execute must answer once waitMs passes, not when the workflow ends');
      const { workflowId, runId, status, resultUrl } = response.body;
      assert.equal(status, 'RUNNING');
      assert.equal(resultUrl, `/api/workflows/${workflowId}/result`);
      assert.equal(response.headers.location, resultUrl);

      const description = await client.workflow.getHandle(workflowId).describe();
      assert.equal(description.status.name, 'RUNNING');

      const later = await request(app).get(resultUrl).query({ waitMs: 10_000 }).expect(200);
      assert.deepEqual(later.body, {
        workflowId,
        runId,
        status: 'COMPLETED',
        result: { executed: 'Hello, Slow!', started: 'Hi, Slow!', startedActivityCancelled: false },
      });
    }));

  it('reports RUNNING from the result endpoint while the workflow runs (waitMs 0)', () =>
    withApi(server, async ({ app }) => {
      const started = await startSlowWorkflow(app);
      const now = await request(app).get(`/api/workflows/${started.body.workflowId}/result`).expect(200);
      assert.equal(now.body.status, 'RUNNING');
      assert.equal(now.body.runId, started.body.runId);
    }));

  it('describes a workflow: type, status, start and close time, task queue', () =>
    withApi(server, async ({ app, client, taskQueue }) => {
      const workflowId = uniqueName('describe');
      await request(app).post('/api/workflows/YourWorkflow').send({ input: 'World', workflowId }).expect(200);
      await client.workflow.getHandle(workflowId).result();

      const response = await request(app).get(`/api/workflows/${workflowId}`).expect(200);
      const body = response.body;
      assert.equal(body.workflowId, workflowId);
      assert.equal(body.type, 'YourWorkflow');
      assert.equal(body.status, 'COMPLETED');
      assert.equal(body.taskQueue, taskQueue);
      const startTime = Date.parse(body.startTime);
      const closeTime = Date.parse(body.closeTime);
      assert.ok(Number.isFinite(startTime) && Number.isFinite(closeTime), response.text);
      assert.ok(closeTime >= startTime);
      assert.ok(Math.abs(Date.now() - startTime) < 60_000, 'startTime is now, not some default');
      assert.ok(body.historyLength > 0);
    }));

  it('describes a running workflow with no close time', () =>
    withApi(server, async ({ app }) => {
      const started = await startSlowWorkflow(app);
      const response = await request(app).get(`/api/workflows/${started.body.workflowId}`).expect(200);
      assert.equal(response.body.status, 'RUNNING');
      assert.equal(response.body.type, 'StartActivityWorkflow');
      assert.equal(response.body.closeTime, null);
    }));

  it('reports a workflow failed by a start-to-close timeout as FAILED, with the timeout in its causes', () =>
    withApi(server, async ({ app }) => {
      const response = await request(app)
        .post('/api/workflows/ActivityTimeoutWorkflow/execute')
        .send({
          input: { name: 'Late', timeout: 'startToClose', timeoutMs: 500, activityDelayMs: 5000, maximumAttempts: 1 },
          waitMs: 20_000,
        });
      assert.equal(response.status, 200, response.text);
      const { status, failure } = response.body;
      assert.equal(status, 'FAILED');
      assert.equal(failure.type, 'ActivityFailure');
      const timeout = failure.causes.find((cause: { type: string }) => cause.type === 'TimeoutFailure');
      assert.ok(timeout, `no TimeoutFailure among ${JSON.stringify(failure.causes)}`);
      assert.equal(timeout.timeoutType, 'START_TO_CLOSE');

      // The result endpoint reports the same closed outcome.
      const result = await request(app).get(`/api/workflows/${response.body.workflowId}/result`).expect(200);
      assert.deepEqual(result.body, response.body);
    }));

  it('is healthy, and ready while Temporal answers', () =>
    withApi(server, async ({ app }) => {
      const health = await request(app).get('/healthz').expect(200);
      assert.equal(health.body.status, 'ok');
      const ready = await request(app).get('/readyz').expect(200);
      assert.equal(ready.body.status, 'ready');
    }));
});
