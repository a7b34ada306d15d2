import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, useTestServer } from './helpers/api';
import { orderInput } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

// No worker polls this app's task queue: the update is never accepted, so only the caller's waitMs ends the wait.
describe('update-with-start with no worker: bounded by waitMs and counted as a wait', () => {
  const server = useTestServer();

  it('answers 503 updateInDoubt once waitMs passes, over REST and tRPC, and the third wait in a minute is a 429', async () => {
    const app = createTestApp(server.env.client, uniqueName('no-worker-tq'), {
      env: { RATE_LIMIT_WAITS_PER_MINUTE: '2' },
    });
    const waitMs = 1_500;
    const body = () => ({ workflowId: uniqueName('order'), input: orderInput(), update: {}, waitMs });
    const calls = {
      rest: () => request(app).post('/api/workflows/OrderFulfilment/update-with-start/waitForPayment').send(body()),
      trpc: () =>
        request(app)
          .post('/trpc/workflows.OrderFulfilment.updateWithStart.waitForPayment')
          .set('content-type', 'application/json')
          .send(JSON.stringify(body())),
    };
    for (const [transport, call] of Object.entries(calls)) {
      const started = Date.now();
      const response = await call();
      const elapsed = Date.now() - started;
      assert.equal(response.status, 503, `${transport}: ${response.text}`);
      const details = transport === 'rest' ? response.body.data.details : response.body.error.data.details;
      assert.equal(details.updateInDoubt, true, transport);
      assert.equal(typeof details.updateId, 'string');
      assert.match(details.resultUrl, /\/updates\//);
      assert.ok(elapsed >= waitMs - 100 && elapsed < waitMs + 3_000, `${transport} answered after ${elapsed} ms`);
    }
    const third = await calls.rest();
    assert.equal(third.status, 429, third.text);
  });
});
