import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { assertErrorAnswer, withApi, useTestServer } from './helpers/api';
import { eventually, largeOrderInput } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

/** Every run visibility knows under this workflow ID (closed ones included). */
async function runsOf(client: Client, workflowId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    runs.push(execution.runId);
  }
  return runs;
}

/**
 * Asserts the ID has exactly this one run. The latest run (describe) is authoritative at once; visibility, which
 * lags, must then list the same single run.
 */
async function assertOnlyRun(client: Client, workflowId: string, runId: string): Promise<void> {
  assert.equal((await client.workflow.getHandle(workflowId).describe()).runId, runId);
  const runs = await eventually('the run to be visible', async () => {
    const listed = await runsOf(client, workflowId);
    return listed.length > 0 ? listed : undefined;
  });
  assert.deepEqual(runs, [runId]);
}

/** POSTs `body` to /api/workflows/`path`, under Idempotency-Key `key` when one is given. */
function post(app: Express, path: string, body: object, key?: string): request.Test {
  const call = request(app).post(`/api/workflows/${path}`);
  return (key === undefined ? call : call.set('Idempotency-Key', key)).send(body);
}

describe('REST lifecycle: Idempotency-Key on start', () => {
  const server = useTestServer();

  it('answers the same key and body twice with the same run, and runs it once', () =>
    withApi(server, async ({ app, client }) => {
      const key = uniqueName('checkout');
      const body = { input: largeOrderInput() };
      const first = await post(app, 'OrderFulfilment', body, key);
      const retry = await post(app, 'OrderFulfilment', body, key);
      assert.equal(first.status, 200, first.text);
      assert.equal(retry.status, 200, retry.text);
      assert.deepEqual(retry.body, first.body);
      await assertOnlyRun(client, first.body.workflowId, first.body.runId);
      // One execution: one start in its history.
      const history = await client.workflow.getHandle(first.body.workflowId).fetchHistory();
      const starts = (history.events ?? []).filter((event) => event.workflowExecutionStartedEventAttributes);
      assert.equal(starts.length, 1);
    }));

  it('keeps one run when 10 duplicates arrive at the same moment', () =>
    withApi(server, async ({ app, client }) => {
      const key = uniqueName('burst');
      const body = { input: largeOrderInput() };
      const responses = await Promise.all(Array.from({ length: 10 }, () => post(app, 'OrderFulfilment', body, key)));
      for (const response of responses) assert.equal(response.status, 200, response.text);
      const started = new Set(responses.map((response) => `${response.body.workflowId}/${response.body.runId}`));
      assert.equal(started.size, 1, `several runs: ${[...started].join(', ')}`);
      const [first] = responses;
      assert.ok(first);
      await assertOnlyRun(client, first.body.workflowId, first.body.runId);
    }));

  it('answers 422 UNPROCESSABLE_CONTENT for the same key with a different body, and starts nothing new', () =>
    withApi(server, async ({ app, client }) => {
      const key = uniqueName('checkout');
      const input = largeOrderInput();
      const first = await post(app, 'OrderFulfilment', { input }, key).expect(200);
      const changed = await post(app, 'OrderFulfilment', { input: { ...input, customerId: 'someone-else' } }, key);
      assertErrorAnswer(changed, 422);
      assert.equal(changed.body.code, 'UNPROCESSABLE_CONTENT');
      assert.equal(changed.body.data.details.existingRunId, first.body.runId);
      await assertOnlyRun(client, first.body.workflowId, first.body.runId);
    }));

  it('answers a retry after the keyed workflow completed with the same run, without a new execution', () =>
    withApi(server, async ({ app, client }) => {
      const key = uniqueName('greet');
      const first = await post(app, 'YourWorkflow/execute', { input: 'World', waitMs: 10_000 }, key);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.status, 'COMPLETED');

      const retry = await post(app, 'YourWorkflow', { input: 'World' }, key);
      assert.equal(retry.status, 200, retry.text);
      assert.deepEqual(retry.body, { workflowId: first.body.workflowId, runId: first.body.runId });
      await assertOnlyRun(client, first.body.workflowId, first.body.runId);
    }));

  it('answers 400 when a key comes with start options, or is malformed, and starts nothing', () =>
    withApi(server, async ({ app, client }) => {
      const workflowId = uniqueName('order');
      const withOptions = await post(
        app,
        'OrderFulfilment',
        { input: largeOrderInput(), workflowId, options: { idConflictPolicy: 'USE_EXISTING' } },
        uniqueName('k'),
      );
      assertErrorAnswer(withOptions, 400);
      assert.match(withOptions.body.message, /idConflictPolicy/);

      for (const key of ['has a space', 'x'.repeat(256)]) {
        const malformed = await post(app, 'OrderFulfilment', { input: largeOrderInput(), workflowId }, key);
        assertErrorAnswer(malformed, 400);
        assert.match(malformed.body.message, /Idempotency-Key/);
      }
      const accepted = await post(app, 'OrderFulfilment', { input: largeOrderInput() }, 'x'.repeat(255));
      assert.equal(accepted.status, 200, `a 255-character key is valid: ${accepted.text}`);

      await assert.rejects(client.workflow.getHandle(workflowId).describe(), { name: 'WorkflowNotFoundError' });
    }));

  it('answers with the running run for options.idConflictPolicy USE_EXISTING (no key), and 409 without it', () =>
    withApi(server, async ({ app, client }) => {
      const workflowId = uniqueName('order');
      const first = await post(app, 'OrderFulfilment', { input: largeOrderInput(), workflowId }).expect(200);

      const conflicting = await post(app, 'OrderFulfilment', { input: largeOrderInput(), workflowId });
      assertErrorAnswer(conflicting, 409);
      assert.equal(conflicting.body.data.details.existingRunId, first.body.runId);

      const reused = await post(app, 'OrderFulfilment', {
        input: largeOrderInput(),
        workflowId,
        options: { idConflictPolicy: 'USE_EXISTING' },
      });
      assert.equal(reused.status, 200, reused.text);
      assert.deepEqual(reused.body, first.body);
      await assertOnlyRun(client, workflowId, first.body.runId);
    }));
});
