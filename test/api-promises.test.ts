import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { MAX_JSON_DEPTH } from '../api/http/json-guard';
import { assertCleanErrorBody, createTestApp, listen, useTestServer, withApi, workflowExists } from './helpers/api';
import { eventually, largeOrderInput, startOrderAwaitingApproval } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

/** A start body whose JSON nests exactly `depth` levels (the object itself is level 1). */
function bodyOfDepth(depth: number): string {
  return `{"input":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}

/** A start body of exactly `bytes` bytes. */
function bodyOfSize(bytes: number): string {
  const frame = '{"input":""}';
  return `{"input":"${'x'.repeat(bytes - frame.length)}"}`;
}

describe('README promises at their exact boundaries (in-process API, real dev server)', () => {
  const server = useTestServer();

  it(`accepts JSON nested ${MAX_JSON_DEPTH} levels deep and refuses ${MAX_JSON_DEPTH + 1}, on REST and tRPC`, async () => {
    const app = createTestApp(server.env.client, uniqueName('no-worker-tq'));
    for (const path of ['/api/workflows/YourWorkflow', '/trpc/workflows.YourWorkflow.start']) {
      // At the bound the body parses and reaches validation, which names the field (input is a string).
      const atBound = await request(app).post(path).set('content-type', 'application/json').send(bodyOfDepth(64));
      assert.equal(atBound.status, 400, atBound.text);
      assert.doesNotMatch(atBound.text, /nests deeper/);
      assert.match(atBound.text, /input/);
      const over = await request(app).post(path).set('content-type', 'application/json').send(bodyOfDepth(65));
      assert.equal(over.status, 400, over.text);
      assert.match(over.text, /nests deeper than 64 levels/);
    }
  });

  it('takes a body of exactly 1,000,000 bytes to validation and refuses 1,000,001 with 413', async () => {
    const app = createTestApp(server.env.client, uniqueName('no-worker-tq'));
    const atBound = await request(app)
      .post('/api/workflows/YourWorkflow')
      .set('content-type', 'application/json')
      .send(bodyOfSize(1_000_000));
    // Parsed, then refused by the contract (a name is at most 256 characters), naming the field.
    assertCleanErrorBody(atBound, 400);
    assert.equal(atBound.body.data.fieldErrors[0].path, 'input');
    const over = await request(app)
      .post('/api/workflows/YourWorkflow')
      .set('content-type', 'application/json')
      .send(bodyOfSize(1_000_001));
    assertCleanErrorBody(over, 413);
    assert.equal(over.body.code, 'PAYLOAD_TOO_LARGE');
  });

  it('caps a long waitMs at MAX_WAIT_MS, in time: the wait answers RUNNING by the cap', async () => {
    const taskQueue = uniqueName('no-worker-tq');
    const app = createTestApp(server.env.client, taskQueue, { env: { MAX_WAIT_MS: '1000' } });
    const workflowId = uniqueName('capped');
    await request(app).post('/api/workflows/YourWorkflow').send({ input: 'x', workflowId }).expect(200);
    try {
      const startedAt = Date.now();
      const response = await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 30_000 });
      const elapsed = Date.now() - startedAt;
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.status, 'RUNNING');
      assert.ok(elapsed >= 900, `answered after ${elapsed} ms, before the cap`);
      // Well under the 30 s asked for; the slack is for a loaded machine.
      assert.ok(elapsed < 6_000, `answered after ${elapsed} ms, not by the 1 s cap`);
    } finally {
      await server.env.client.workflow.getHandle(workflowId).terminate('test done');
    }
  });

  it('refuses a body with invalid UTF-8 over tRPC too, with a 400 and nothing started', async () => {
    const app = createTestApp(server.env.client, uniqueName('no-worker-tq'));
    const workflowId = uniqueName('utf8');
    const body = Buffer.concat([
      Buffer.from(`{"workflowId":"${workflowId}","input":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const api = await listen(app);
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${api.baseUrl}/trpc/workflows.YourWorkflow.start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      status = response.status;
      text = await response.text();
    } finally {
      await api.close();
    }
    assert.equal(status, 400, text);
    assert.match(text, /UTF-8/i);
    assert.equal(await workflowExists(server.env.client, workflowId), false);
  });

  it('replaces an invalid x-request-id with one of its own, and keeps a valid one', async () => {
    const app = createTestApp(server.env.client, uniqueName('no-worker-tq'));
    const kept = await request(app).get('/healthz').set('x-request-id', 'req-1.a:b');
    assert.equal(kept.headers['x-request-id'], 'req-1.a:b');
    for (const invalid of ['has space', 'x'.repeat(129), 'semi;colon', '<script>']) {
      const replaced = await request(app).get('/healthz').set('x-request-id', invalid);
      assert.notEqual(replaced.headers['x-request-id'], invalid);
      assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    }
  });
});

describe('README lifecycle promises (in-process API, real dev server)', () => {
  const server = useTestServer();

  it('TERMINATE_EXISTING ends the open run and starts a new one under the same ID', () =>
    withApi(server, async ({ app, client }) => {
      const workflowId = uniqueName('policy');
      const first = await request(app)
        .post('/api/workflows/OrderFulfilment')
        // A large order waits for approval: the run is open when the second start comes.
        .send({ input: largeOrderInput(), workflowId })
        .expect(200);
      const refused = await request(app).post('/api/workflows/YourWorkflow').send({ input: 'x', workflowId });
      assertCleanErrorBody(refused, 409);
      const second = await request(app)
        .post('/api/workflows/YourWorkflow')
        .send({ input: 'x', workflowId, options: { idConflictPolicy: 'TERMINATE_EXISTING' } })
        .expect(200);
      assert.notEqual(second.body.runId, first.body.runId);
      const old = await client.workflow.getHandle(workflowId, first.body.runId).describe();
      assert.equal(old.status.name, 'TERMINATED');
      const outcome = await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 10_000 });
      assert.equal(outcome.body.runId, second.body.runId);
      assert.equal(outcome.body.status, 'COMPLETED');
    }));

  it('REJECT_DUPLICATE refuses a second run once the first has closed (409 naming it); ALLOW_DUPLICATE runs it', () =>
    withApi(server, async ({ app }) => {
      const workflowId = uniqueName('policy');
      const first = await request(app)
        .post('/api/workflows/YourWorkflow/execute')
        .send({ input: 'x', workflowId, waitMs: 10_000 })
        .expect(200);
      assert.equal(first.body.status, 'COMPLETED');
      const refused = await request(app)
        .post('/api/workflows/YourWorkflow')
        .send({ input: 'x', workflowId, options: { idReusePolicy: 'REJECT_DUPLICATE' } });
      assertCleanErrorBody(refused, 409);
      assert.equal(refused.body.data.details.existingRunId, first.body.runId);
      assert.equal(refused.body.data.details.status, 'COMPLETED');
      const again = await request(app)
        .post('/api/workflows/YourWorkflow')
        .send({ input: 'x', workflowId, options: { idReusePolicy: 'ALLOW_DUPLICATE' } })
        .expect(200);
      assert.notEqual(again.body.runId, first.body.runId);
    }));

  it('answers an update still running after its waitMs with 202 ACCEPTED and the URL of its result', () =>
    withApi(server, async ({ app, client }) => {
      // An order awaiting approval is not charged: waitForPayment is accepted and waits for the charge.
      const workflowId = await startOrderAwaitingApproval(app);
      try {
        const response = await request(app)
          .post(`/api/workflows/${workflowId}/updates/waitForPayment`)
          .set('idempotency-key', 'pay-1')
          .send({ waitMs: 500 });
        assert.equal(response.status, 202, response.text);
        assert.equal(response.body.status, 'ACCEPTED');
        assert.equal(response.body.resultUrl, `/api/workflows/${workflowId}/updates/pay-1/result`);
        assert.equal(response.headers.location, response.body.resultUrl);
        await request(app).post(`/api/workflows/${workflowId}/signals/approve`).send({ approvedBy: 'm' }).expect(202);
        const result = await request(app).get(response.body.resultUrl).query({ waitMs: 10_000 });
        assert.equal(result.status, 200, result.text);
        assert.equal(result.body.status, 'COMPLETED');
        assert.equal(typeof result.body.result.chargeId, 'string');
      } finally {
        await client.workflow
          .getHandle(workflowId)
          .terminate('test done')
          .catch(() => undefined);
      }
    }));

  it('reports a run that hit its execution timeout as TIMED_OUT, in describe and result', async () => {
    const taskQueue = uniqueName('no-worker-tq');
    const app = createTestApp(server.env.client, taskQueue);
    const workflowId = uniqueName('timed-out');
    // No worker: the run cannot finish before its one-second execution timeout.
    await server.env.client.workflow.start('YourWorkflow', {
      taskQueue,
      workflowId,
      args: ['x'],
      workflowExecutionTimeout: '1 second',
    });
    const described = await eventually('the run to time out', async () => {
      const body = (await request(app).get(`/api/workflows/${workflowId}`).expect(200)).body as { status: string };
      return body.status === 'TIMED_OUT' ? body : undefined;
    });
    assert.equal(described.status, 'TIMED_OUT');
    const result = await request(app).get(`/api/workflows/${workflowId}/result`).expect(200);
    assert.equal(result.body.status, 'TIMED_OUT');
    assert.ok(result.body.failure, result.text);
  });
});
