import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import type { OrderStatus } from '../workflows/order-fulfilment/order-fulfilment.contract';
import { assertErrorAnswer, withApi, useTestServer } from './helpers/api';
import {
  awaitStep,
  countEvents,
  createOrderFakes,
  historyOf,
  largeOrderInput,
  NEW_ADDRESS,
  orderInput,
  startLargeOrder,
  startOrderAwaitingApproval,
} from './helpers/orders';
import { uniqueName } from './helpers/temporal';

interface ErrorBody {
  code: string;
  message: string;
  data?: { fieldErrors?: { path: string }[] };
}

/** The fields a 400 names, in the API's fieldErrors; the message names each of them too (as over tRPC). */
function fieldPaths(body: ErrorBody): string[] {
  const paths = (body.data?.fieldErrors ?? []).map((issue) => issue.path);
  for (const path of paths) assert.ok(body.message.includes(`${path}: `), JSON.stringify(body));
  return paths;
}

/** Signal-with-start of the order's approve signal, approved by `approvedBy`, starting `input` if no run is open. */
function approveWithStart(app: Express, workflowId: string, approvedBy: string, input: object = largeOrderInput()) {
  return request(app)
    .post('/api/workflows/OrderFulfilment/signal-with-start/approve')
    .send({ workflowId, input, signal: { approvedBy } });
}

describe('REST lifecycle: messages', () => {
  const server = useTestServer();

  describe('signals, queries and updates', () => {
    it('approve moves an order awaiting approval on (202), and the status query shows who approved', () =>
      withApi(server, async ({ app }) => {
        const workflowId = uniqueName('order');
        await request(app)
          .post('/api/workflows/OrderFulfilment')
          .send({ input: largeOrderInput(), workflowId })
          .expect(200);
        const waiting = await awaitStep(app, workflowId, 'awaiting_approval');
        assert.deepEqual(waiting.approval, { required: true });
        assert.equal(waiting.totalCents, 160_000);

        const signaled = await request(app)
          .post(`/api/workflows/${workflowId}/signals/approve`)
          .send({ approvedBy: 'manager-7' });
        assert.equal(signaled.status, 202, signaled.text);
        assert.deepEqual(signaled.body, { workflowId, signal: 'approve', status: 'SIGNALED' });

        const outcome = await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 15_000 });
        assert.equal(outcome.body.status, 'COMPLETED', outcome.text);
        const final = await request(app).get(`/api/workflows/${workflowId}/queries/status`).expect(200);
        const status = final.body as OrderStatus;
        assert.equal(status.step, 'completed');
        assert.equal(status.approval.approvedBy, 'manager-7');
        assert.equal(status.trackingNumber, outcome.body.result.trackingNumber);
      }));

    it('answers 404 for a signal or query to an unknown workflow', () =>
      withApi(server, async ({ app }) => {
        const missing = uniqueName('no-such-order');
        const signal = await request(app).post(`/api/workflows/${missing}/signals/approve`).send({ approvedBy: 'x' });
        assertErrorAnswer(signal, 404);
        assert.equal(signal.body.code, 'NOT_FOUND');
        const query = await request(app).get(`/api/workflows/${missing}/queries/status`);
        assertErrorAnswer(query, 404);
        assert.equal(query.body.code, 'NOT_FOUND');
      }));

    it('answers 400 for a signal to a workflow of another type', () =>
      withApi(server, async ({ app, client }) => {
        const workflowId = uniqueName('greeting');
        await request(app).post('/api/workflows/YourWorkflow').send({ input: 'World', workflowId }).expect(200);
        const response = await request(app)
          .post(`/api/workflows/${workflowId}/signals/approve`)
          .send({ approvedBy: 'x' });
        assertErrorAnswer(response, 400);
        assert.match(response.body.message, /YourWorkflow, not a OrderFulfilment/);
        assert.equal(countEvents(await historyOf(client, workflowId), 'workflowExecutionSignaledEventAttributes'), 0);
      }));

    it('answers 409 for a signal to a closed workflow', () =>
      withApi(
        server,
        async ({ app }) => {
          const workflowId = uniqueName('order');
          const done = await request(app)
            .post('/api/workflows/OrderFulfilment/execute')
            .send({ input: orderInput(), workflowId, waitMs: 15_000 });
          assert.equal(done.body.status, 'COMPLETED', done.text);
          const response = await request(app)
            .post(`/api/workflows/${workflowId}/signals/approve`)
            .send({ approvedBy: 'late' });
          assertErrorAnswer(response, 409);
          assert.equal(response.body.code, 'CONFLICT');
          assert.match(response.body.message, /COMPLETED/);
        },
        createOrderFakes(),
      ));

    it('answers 400 naming approvedBy and the unknown approver for an invalid signal body, and delivers nothing', () =>
      withApi(server, async ({ app, client }) => {
        const workflowId = await startOrderAwaitingApproval(app);

        const response = await request(app)
          .post(`/api/workflows/${workflowId}/signals/approve`)
          .send({ approver: 'typo' });
        assertErrorAnswer(response, 400);
        assert.deepEqual(fieldPaths(response.body).sort(), ['approvedBy', 'approver']);

        const status = (await request(app).get(`/api/workflows/${workflowId}/queries/status`).expect(200))
          .body as OrderStatus;
        assert.equal(status.step, 'awaiting_approval');
        assert.equal(status.approval.approvedBy, undefined);
        assert.equal(countEvents(await historyOf(client, workflowId), 'workflowExecutionSignaledEventAttributes'), 0);
      }));

    it('answers the status query with the typed status of the order', () =>
      withApi(server, async ({ app }) => {
        const workflowId = uniqueName('order');
        const input = largeOrderInput();
        await request(app).post('/api/workflows/OrderFulfilment').send({ input, workflowId }).expect(200);
        const status = await awaitStep(app, workflowId, 'awaiting_approval');
        assert.deepEqual(status, {
          step: 'awaiting_approval',
          progress: 1 / 4,
          totalCents: 160_000,
          approval: { required: true },
          shippingAddress: input.shippingAddress,
        });
      }));

    it('accepts changeShippingAddress while awaiting approval (200) and ships to the new address', () => {
      const fakes = createOrderFakes();
      return withApi(
        server,
        async ({ app, client }) => {
          const { workflowId } = await startLargeOrder(app);

          const updated = await request(app)
            .post(`/api/workflows/${workflowId}/updates/changeShippingAddress`)
            .send({ shippingAddress: NEW_ADDRESS });
          assert.equal(updated.status, 200, updated.text);
          assert.equal(updated.body.status, 'COMPLETED');
          assert.deepEqual(updated.body.result, NEW_ADDRESS);
          assert.equal(typeof updated.body.updateId, 'string');

          // The update's result can be fetched again by its ID.
          const again = await request(app)
            .get(`/api/workflows/${workflowId}/updates/${updated.body.updateId}/result`)
            .expect(200);
          assert.deepEqual(again.body, updated.body);

          await request(app).post(`/api/workflows/${workflowId}/signals/approve`).send({ approvedBy: 'm' }).expect(202);
          const outcome = await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 15_000 });
          assert.equal(outcome.body.status, 'COMPLETED', outcome.text);
          assert.deepEqual(outcome.body.result.shippingAddress, NEW_ADDRESS);
          assert.deepEqual(fakes.shipping.shipmentOf(workflowId)?.shippingAddress, NEW_ADDRESS);
          assert.equal(
            countEvents(await historyOf(client, workflowId), 'workflowExecutionUpdateAcceptedEventAttributes'),
            1,
          );
        },
        fakes,
      );
    });

    it("answers 422 with the workflow's reason when the address changes after shipping started", () => {
      // Slow legs keep the order in the shipping step while the update arrives.
      const fakes = createOrderFakes({ steps: 20, stepMs: 500 });
      return withApi(
        server,
        async ({ app, client }) => {
          const workflowId = uniqueName('order');
          await request(app)
            .post('/api/workflows/OrderFulfilment')
            .send({ input: orderInput(), workflowId })
            .expect(200);
          await awaitStep(app, workflowId, 'shipping');

          const response = await request(app)
            .post(`/api/workflows/${workflowId}/updates/changeShippingAddress`)
            .send({ shippingAddress: NEW_ADDRESS });
          assertErrorAnswer(response, 422);
          assert.equal(response.body.code, 'UNPROCESSABLE_CONTENT');
          assert.match(response.body.message, /Shipping address can no longer be changed: the order has shipped/);

          // A validator's rejection never enters history.
          const events = await historyOf(client, workflowId);
          assert.equal(countEvents(events, 'workflowExecutionUpdateAcceptedEventAttributes'), 0);
          await request(app).post(`/api/workflows/${workflowId}/terminate`).send({ reason: 'test done' }).expect(200);
        },
        fakes,
      );
    });

    it('answers 400 naming shippingAddress.country for an unknown country, and sends nothing', () =>
      withApi(server, async ({ app, client }) => {
        const workflowId = await startOrderAwaitingApproval(app);

        const response = await request(app)
          .post(`/api/workflows/${workflowId}/updates/changeShippingAddress`)
          .send({ shippingAddress: { ...NEW_ADDRESS, country: 'XX' } });
        assertErrorAnswer(response, 400);
        assert.deepEqual(fieldPaths(response.body), ['shippingAddress.country']);

        const events = await historyOf(client, workflowId);
        assert.equal(countEvents(events, 'workflowExecutionUpdateAcceptedEventAttributes'), 0);
      }));

    it('runs an update retried with the same Idempotency-Key once', () =>
      withApi(server, async ({ app, client }) => {
        const workflowId = await startOrderAwaitingApproval(app);

        const key = uniqueName('address-change');
        const send = () =>
          request(app)
            .post(`/api/workflows/${workflowId}/updates/changeShippingAddress`)
            .set('Idempotency-Key', key)
            .send({ shippingAddress: NEW_ADDRESS });
        const first = await send();
        const retry = await send();
        assert.equal(first.status, 200, first.text);
        assert.equal(retry.status, 200, retry.text);
        assert.equal(first.body.updateId, key);
        assert.deepEqual(retry.body, first.body);

        const events = await historyOf(client, workflowId);
        assert.equal(countEvents(events, 'workflowExecutionUpdateAcceptedEventAttributes'), 1);
        assert.equal(countEvents(events, 'workflowExecutionUpdateCompletedEventAttributes'), 1);
      }));

    it('answers 404 for the result of an update of an unknown workflow', () =>
      withApi(server, async ({ app }) => {
        const response = await request(app).get(`/api/workflows/${uniqueName('missing')}/updates/some-update/result`);
        assertErrorAnswer(response, 404);
      }));
  });

  describe('signal-with-start and update-with-start', () => {
    it('signal-with-start starts an absent workflow and delivers the signal to it', () =>
      withApi(
        server,
        async ({ app, client }) => {
          const workflowId = uniqueName('order');
          const response = await approveWithStart(app, workflowId, 'pre-approved');
          assert.equal(response.status, 200, response.text);
          assert.equal(response.body.workflowId, workflowId);

          const outcome = await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 15_000 });
          assert.equal(outcome.body.status, 'COMPLETED', outcome.text);
          assert.equal(outcome.body.runId, response.body.runId);
          const status = (await request(app).get(`/api/workflows/${workflowId}/queries/status`).expect(200))
            .body as OrderStatus;
          assert.equal(status.approval.approvedBy, 'pre-approved');
          const events = await historyOf(client, workflowId);
          assert.equal(countEvents(events, 'workflowExecutionSignaledEventAttributes'), 1);
        },
        createOrderFakes(),
      ));

    it('signal-with-start signals a running workflow instead of starting a second run', () =>
      withApi(
        server,
        async ({ app, client }) => {
          const workflowId = uniqueName('order');
          const started = await request(app)
            .post('/api/workflows/OrderFulfilment')
            .send({ input: largeOrderInput(), workflowId })
            .expect(200);
          await awaitStep(app, workflowId, 'awaiting_approval');

          const response = await approveWithStart(app, workflowId, 'second-call');
          assert.equal(response.status, 200, response.text);
          assert.deepEqual(response.body, started.body);

          const outcome = await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 15_000 });
          assert.equal(outcome.body.status, 'COMPLETED', outcome.text);
          // Still the first run: no second run was started (a new one would be the latest run of the ID).
          assert.equal(outcome.body.runId, started.body.runId);
          assert.equal((await client.workflow.getHandle(workflowId).describe()).runId, started.body.runId);
        },
        createOrderFakes(),
      ));

    it('update-with-start answers with the update result while the workflow goes on (early return)', () =>
      withApi(server, async ({ app, client }) => {
        const workflowId = uniqueName('order');
        const send = () =>
          request(app)
            .post('/api/workflows/OrderFulfilment/update-with-start/changeShippingAddress')
            .send({ workflowId, input: largeOrderInput(), update: { shippingAddress: NEW_ADDRESS } });
        const response = await send();
        assert.equal(response.status, 200, response.text);
        assert.equal(response.body.status, 'COMPLETED');
        assert.deepEqual(response.body.result, NEW_ADDRESS);
        assert.equal(response.body.workflowId, workflowId);
        assert.equal(typeof response.body.updateId, 'string');

        const description = await request(app).get(`/api/workflows/${workflowId}`).expect(200);
        assert.equal(description.body.status, 'RUNNING');
        assert.equal(description.body.runId, response.body.runId);
        const status = await awaitStep(app, workflowId, 'awaiting_approval');
        assert.deepEqual(status.shippingAddress, NEW_ADDRESS);

        // Again on the same ID: the running workflow takes the update; no new run.
        const second = await send();
        assert.equal(second.status, 200, second.text);
        assert.equal(second.body.runId, response.body.runId);
        assert.notEqual(second.body.updateId, response.body.updateId);
        const events = await historyOf(client, workflowId);
        assert.equal(countEvents(events, 'workflowExecutionUpdateAcceptedEventAttributes'), 2);
        assert.equal(countEvents(events, 'workflowExecutionStartedEventAttributes'), 1);
      }));

    it('with-start routes answer 400 naming the field for an invalid start input, and start nothing', () =>
      withApi(server, async ({ app }) => {
        const workflowId = uniqueName('order');
        const response = await approveWithStart(app, workflowId, 'x', largeOrderInput({ items: [] }));
        assertErrorAnswer(response, 400);
        assert.ok(fieldPaths(response.body).includes('input.items'), response.text);
        const described = await request(app).get(`/api/workflows/${workflowId}`);
        assert.equal(described.status, 404);
      }));
  });
});
