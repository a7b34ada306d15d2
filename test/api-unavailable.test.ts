import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { assertCleanErrorBody, createTestApp } from './helpers/api';
import { uniqueName } from './helpers/temporal';
import { useUnreachableTemporal } from './helpers/unreachable-temporal';

// What a caller can be expected to wait for a 503. The SDK's default retry policy (10 attempts, back-off to 5 s)
// held every call about 20 s; the API's own connection options (api/temporal/temporal-client.ts) give up after about 1 s.
const PROMPT_MS = 5_000;
// The bound that must hold today: the SDK's retry budget plus slack, so that a hang still fails the test.
const RETRY_BUDGET_MS = 35_000;

describe('REST: Temporal unreachable', () => {
  const temporal = useUnreachableTemporal();
  let app: Express;
  before(async () => {
    // Lazy, as the API is when Temporal goes away after start-up: every call has to fail on its own.
    // (connectTimeout would change nothing: only Connection.connect/ensureConnected use it, not the calls.)
    app = createTestApp(temporal.client(), uniqueName('nowhere'));
  });

  const calls: Record<string, () => request.Test> = {
    start: () => request(app).post('/api/workflows/YourWorkflow').send({ input: 'World' }),
    execute: () => request(app).post('/api/workflows/YourWorkflow/execute').send({ input: 'World', waitMs: 100 }),
    result: () => request(app).get(`/api/workflows/${uniqueName('wf')}/result`),
    describe: () => request(app).get(`/api/workflows/${uniqueName('wf')}`),
  };

  it('answers start, execute, result and describe with 503 SERVICE_UNAVAILABLE', { timeout: 60_000 }, async (t) => {
    // In parallel: each call spends its time in the client's retry back-off, not on the CPU.
    await Promise.all(
      Object.entries(calls).map(async ([name, call]) => {
        const startedAt = Date.now();
        const response = await call();
        const elapsed = Date.now() - startedAt;
        t.diagnostic(`${name} answered ${response.status} in ${elapsed} ms`);
        assertCleanErrorBody(response, 503);
        assert.equal(response.body.code, 'SERVICE_UNAVAILABLE');
        assert.equal(response.headers['retry-after'], '1', 'a 503 says when to retry');
        if (name === 'start' || name === 'execute') {
          // The connection failed while starting: the answer cannot know whether Temporal started the run, says so,
          // and names the workflow ID to check (a retry with an Idempotency-Key meets the same run).
          const details = response.body.data.details as {
            workflowId: string;
            startInDoubt: boolean;
            resultUrl: string;
          };
          assert.equal(details.startInDoubt, true);
          assert.match(details.workflowId, /^YourWorkflow-/);
          assert.equal(details.resultUrl, `/api/workflows/${details.workflowId}/result`);
          assert.match(response.body.message, /may have started/);
        } else {
          assert.equal(response.body.message, 'Temporal is unavailable; try again later');
        }
        assert.ok(elapsed < RETRY_BUDGET_MS, `${name} took ${elapsed} ms`);
      }),
    );
  });

  // Measures on its own, so that it holds whatever ran before it (or whether anything did).
  it(`answers those 503s within ${PROMPT_MS} ms`, { timeout: 60_000 }, async () => {
    await Promise.all(
      Object.entries(calls).map(async ([name, call]) => {
        const startedAt = Date.now();
        const response = await call();
        const elapsed = Date.now() - startedAt;
        assert.equal(response.status, 503, `${name}: ${response.text}`);
        assert.ok(elapsed < PROMPT_MS, `${name} took ${elapsed} ms`);
      }),
    );
  });

  it('answers /readyz with 503 while /healthz stays 200', async (t) => {
    const startedAt = Date.now();
    const ready = await request(app).get('/readyz');
    const elapsed = Date.now() - startedAt;
    t.diagnostic(`readyz answered ${ready.status} in ${elapsed} ms`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.code, 'SERVICE_UNAVAILABLE');
    assert.ok(ready.headers['x-request-id'], 'no x-request-id');
    assert.ok(elapsed < PROMPT_MS, `took ${elapsed} ms`);
    await request(app).get('/healthz').expect(200);
  });
});
