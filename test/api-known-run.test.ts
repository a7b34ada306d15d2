import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../api/app';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { assertCleanErrorBody, useTestServer } from './helpers/api';
import { uniqueName } from './helpers/temporal';

// Looks like what an unexpected library error carries: the answer must show none of it.
const INTERNAL_MESSAGE = 'payload codec exploded at /usr/lib/node_modules/codec/index.js:12';

/** A real client whose every describe fails with an error no mapping knows: a start succeeds, what follows fails. */
function clientFailingAfterStart(client: Client): Client {
  const failDescribe: WorkflowClientInterceptor = {
    describe: () => Promise.reject(new Error(INTERNAL_MESSAGE)),
  };
  return new Client({
    connection: client.connection,
    namespace: client.options.namespace,
    interceptors: { workflow: [failDescribe] },
  });
}

describe('no answer hides a started run, a 500 included (in-process API, real dev server)', () => {
  const server = useTestServer();

  function appOver(lines: Record<string, unknown>[]) {
    const config = loadConfig({ TEMPORAL_TASK_QUEUE: uniqueName('no-worker-tq') });
    const logger = createLogger('api-test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    return createApp({
      client: clientFailingAfterStart(server.env.client),
      config,
      logger,
      draining: new AbortController().signal,
    });
  }

  async function assertNamesStartedRun(response: request.Response, workflowId: string): Promise<void> {
    assertCleanErrorBody(response, 500);
    assert.equal(response.body.data.code, 'INTERNAL_SERVER_ERROR');
    const run = await server.env.client.workflow.getHandle(workflowId).describe();
    assert.deepEqual(response.body.data.details, {
      workflowId,
      runId: run.runId,
      resultUrl: `/api/workflows/${workflowId}/result`,
    });
    assert.match(response.body.message, /was started \(run .+\).*resultUrl/);
    assert.doesNotMatch(response.text, /codec exploded/, 'the internals stay in the log');
    await server.env.client.workflow.getHandle(workflowId).terminate('test done');
  }

  it('names workflowId, runId and resultUrl on a 500 after an accepted start (REST execute with a key)', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = appOver(lines);
    const workflowId = uniqueName('known-run');
    const response = await request(app)
      .post('/api/workflows/YourWorkflow/execute')
      .set('idempotency-key', uniqueName('key'))
      .send({ input: 'x', workflowId, waitMs: 1_000 });
    await assertNamesStartedRun(response, workflowId);
    const requestId = response.headers['x-request-id'];
    const logged = lines.find((line) => line.requestId === requestId && line.message === 'request failed');
    assert.equal(logged?.level, 'error', JSON.stringify(lines));
    assert.match(JSON.stringify(logged), /codec exploded/, 'the cause is logged with the request id');
  });

  it('names the run on a 500 after an accepted start over tRPC too', async () => {
    const app = appOver([]);
    const workflowId = uniqueName('known-run');
    const response = await request(app)
      .post('/trpc/workflows.YourWorkflow.start')
      .set('idempotency-key', uniqueName('key'))
      .send({ input: 'x', workflowId });
    assert.equal(response.status, 500, response.text);
    assert.equal(response.body.error.data.code, 'INTERNAL_SERVER_ERROR');
    assert.equal(response.body.error.data.requestId, response.headers['x-request-id']);
    const run = await server.env.client.workflow.getHandle(workflowId).describe();
    assert.deepEqual(response.body.error.data.details, {
      workflowId,
      runId: run.runId,
      resultUrl: `/api/workflows/${workflowId}/result`,
    });
    assert.doesNotMatch(response.text, /codec exploded/);
    await server.env.client.workflow.getHandle(workflowId).terminate('test done');
  });

  it('answers a 500 before any run is known with exactly that: status, code, no details, the request id', async () => {
    const app = appOver([]);
    const response = await request(app).get(`/api/workflows/${uniqueName('unknown')}`);
    assertCleanErrorBody(response, 500);
    assert.equal(response.body.code, 'INTERNAL_SERVER_ERROR');
    assert.equal(response.body.message, 'Internal server error');
    assert.equal(response.body.data.code, 'INTERNAL_SERVER_ERROR');
    assert.equal(response.body.data.httpStatus, 500);
    assert.equal(response.body.data.details, undefined, response.text);
    assert.doesNotMatch(response.text, /codec exploded/);
  });
});
