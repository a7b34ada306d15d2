import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { assertErrorAnswer, completedGreeting, withApi, useTestServer, type ApiUnderTest } from './helpers/api';
import {
  createOrderFakes,
  historyOf,
  largeOrderInput,
  scheduledActivities,
  startLargeOrder,
  type OrderFakes,
} from './helpers/orders';
import { uniqueName } from './helpers/temporal';

describe('REST lifecycle: cancel and terminate', () => {
  const server = useTestServer();
  /** A test body given the app, the worker's order fakes and a large order of theirs that awaits approval. */
  const withOrder =
    (fn: (order: ApiUnderTest & { fakes: OrderFakes; workflowId: string; runId: string }) => Promise<void>) =>
    (): Promise<void> => {
      const fakes = createOrderFakes();
      return withApi(server, async (api) => fn({ ...api, fakes, ...(await startLargeOrder(api.app)) }), fakes);
    };

  it(
    'cancels an order awaiting approval (202): it ends CANCELLED after releasing its stock',
    withOrder(async ({ app, client, fakes, workflowId, runId }) => {
      assert.equal(fakes.inventory.reservationOf(workflowId)?.status, 'held');

      const cancelled = await request(app).post(`/api/workflows/${workflowId}/cancel`).send({});
      assert.equal(cancelled.status, 202, cancelled.text);
      assert.deepEqual(cancelled.body, { workflowId, runId, status: 'CANCEL_REQUESTED' });

      const outcome = await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 15_000 });
      assert.equal(outcome.status, 200, outcome.text);
      assert.equal(outcome.body.status, 'CANCELLED');
      assert.equal(outcome.body.failure.type, 'CancelledFailure');

      // The saga's compensation ran before the workflow closed: the stock is back.
      assert.equal(fakes.inventory.reservationOf(workflowId)?.status, 'released');
      assert.equal(fakes.inventory.available('LAPTOP-PRO'), 1_000);
      const activities = scheduledActivities(await historyOf(client, workflowId));
      assert.deepEqual(activities, ['reserve_stock', 'release_stock']);
      assert.equal(fakes.payments.ledger().length, 0, 'nothing was charged');
    }),
  );

  it('answers 409 for cancelling a closed workflow and 404 for an unknown one', () =>
    withApi(server, async ({ app }) => {
      const workflowId = await completedGreeting(app);

      const closed = await request(app).post(`/api/workflows/${workflowId}/cancel`).send({});
      assertErrorAnswer(closed, 409);
      assert.equal(closed.body.code, 'CONFLICT');
      assert.match(closed.body.message, /COMPLETED/);
      // Nothing changed: the workflow is still COMPLETED with its result.
      const after = await request(app).get(`/api/workflows/${workflowId}/result`).expect(200);
      assert.equal(after.body.status, 'COMPLETED');

      const unknown = await request(app)
        .post(`/api/workflows/${uniqueName('missing')}/cancel`)
        .send({});
      assertErrorAnswer(unknown, 404);
      assert.equal(unknown.body.code, 'NOT_FOUND');
    }));

  it(
    'terminates a running workflow with a reason: TERMINATED, the reason in failure.message, no compensation',
    withOrder(async ({ app, client, fakes, workflowId, runId }) => {
      const reason = 'duplicate order, see ticket OPS-1234';
      const terminated = await request(app).post(`/api/workflows/${workflowId}/terminate`).send({ reason });
      assert.equal(terminated.status, 200, terminated.text);
      assert.deepEqual(terminated.body, { workflowId, runId, status: 'TERMINATED' });

      const outcome = await request(app).get(`/api/workflows/${workflowId}/result`).expect(200);
      assert.equal(outcome.body.status, 'TERMINATED');
      assert.equal(outcome.body.failure.message, reason);
      // Termination runs no workflow code: the stock stays held (what makes cancel the gentler choice).
      assert.equal(fakes.inventory.reservationOf(workflowId)?.status, 'held');
      assert.deepEqual(scheduledActivities(await historyOf(client, workflowId)), ['reserve_stock']);

      const again = await request(app).post(`/api/workflows/${workflowId}/terminate`).send({ reason });
      assertErrorAnswer(again, 409);
      assert.equal(again.body.code, 'CONFLICT');
      assert.match(again.body.message, /TERMINATED/);
    }),
  );

  it('answers 404 for terminating an unknown workflow, and 400 for an empty reason', () =>
    withApi(server, async ({ app }) => {
      const unknown = await request(app)
        .post(`/api/workflows/${uniqueName('missing')}/terminate`)
        .send({ reason: 'x' });
      assertErrorAnswer(unknown, 404);

      const workflowId = uniqueName('order');
      await request(app)
        .post('/api/workflows/OrderFulfilment')
        .send({ input: largeOrderInput(), workflowId })
        .expect(200);
      const empty = await request(app).post(`/api/workflows/${workflowId}/terminate`).send({ reason: '' });
      assertErrorAnswer(empty, 400);
      assert.equal((await request(app).get(`/api/workflows/${workflowId}`).expect(200)).body.status, 'RUNNING');
    }));
});
