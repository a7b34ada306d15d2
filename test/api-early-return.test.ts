import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { assertErrorAnswer, withApi, useTestServer } from './helpers/api';
import { createOrderFakes, orderInput } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

// update-with-start on the waitForPayment milestone: the caller hears back once the order is paid,
// while shipping (slow here on purpose) goes on.
describe('REST: early return with update-with-start', () => {
  const server = useTestServer();

  it('answers with the charge while the order is still shipping, then the order completes', async () => {
    const fakes = createOrderFakes({ steps: 4, stepMs: 500 });
    await withApi(
      server,
      async ({ app, client }) => {
        const workflowId = uniqueName('order');
        const response = await request(app)
          .post('/api/workflows/OrderFulfilment/update-with-start/waitForPayment')
          .send({ workflowId, input: orderInput(), update: {} })
          .expect(200);
        assert.equal(response.body.status, 'COMPLETED');
        assert.equal(response.body.workflowId, workflowId);
        assert.match(response.body.result.chargeId, /\S/);
        assert.equal(response.body.result.totalCents, 6_499);
        assert.deepEqual(
          fakes.payments.ledger().map((charge) => charge.chargeId),
          [response.body.result.chargeId],
        );

        // Early return: the workflow is still going when the caller already has its answer.
        const status = await client.workflow.getHandle(workflowId).query('status');
        assert.equal((status as { step: string }).step, 'shipping');
        const outcome = await request(app).get(`/api/workflows/${workflowId}/result?waitMs=10000`).expect(200);
        assert.equal(outcome.body.status, 'COMPLETED');
        assert.equal(outcome.body.result.chargeId, response.body.result.chargeId);
        assert.equal(outcome.body.runId, response.body.runId);
      },
      { activities: fakes.activities },
    );
  });

  it('answers 422 with the reason when the order ends before it is paid, and the workflow fails on its own terms', async () => {
    const fakes = createOrderFakes();
    await withApi(
      server,
      async ({ app }) => {
        const workflowId = uniqueName('order');
        const response = await request(app)
          .post('/api/workflows/OrderFulfilment/update-with-start/waitForPayment')
          .send({ workflowId, input: orderInput({ payment: { cardToken: 'tok_declined' } }), update: {} });
        assertErrorAnswer(response, 422);
        assert.equal(response.body.code, 'UNPROCESSABLE_CONTENT');
        assert.match(response.body.message, /ended before payment/);
        const outcome = await request(app).get(`/api/workflows/${workflowId}/result?waitMs=10000`).expect(200);
        assert.equal(outcome.body.status, 'FAILED');
        assert.equal(outcome.body.failure.applicationErrorType, 'PaymentDeclined');
        assert.equal(fakes.payments.ledger().length, 0);
      },
      { activities: fakes.activities },
    );
  });
});
