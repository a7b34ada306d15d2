import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, decodeTimeoutType } from '@temporalio/common';
import { createActivities } from '../activities';
import type { OrderFulfilment } from '../workflows';
import {
  orderFulfilmentContract,
  type OrderFulfilmentInput,
  type OrderStatus,
  type OrderStep,
} from '../workflows/order-fulfilment/order-fulfilment.contract';
import {
  approveSignal,
  changeShippingAddressUpdate,
  rejectSignal,
  statusQuery,
} from '../workflows/order-fulfilment/messages';
import {
  createOrderFakes,
  LARGE_ORDER_ITEMS,
  NEW_ADDRESS,
  orderInput as clientOrderInput,
  type OrderFakes,
} from './helpers/orders';
import { rejectionOf } from './helpers/rejection';
import { createTestWorker, uniqueName, useTestServer } from './helpers/temporal';

/** A valid order under a fresh orderId, with the contract's defaults applied (as the API would start it). */
function orderInput(overrides: Partial<OrderFulfilmentInput> = {}): OrderFulfilmentInput {
  return orderFulfilmentContract.input.parse(clientOrderInput(overrides));
}

const LARGE_ORDER = { items: LARGE_ORDER_ITEMS };

type OrderHandle = WorkflowHandle<typeof OrderFulfilment>;

async function waitForStep(handle: OrderHandle, step: OrderStep, timeoutMs = 15_000): Promise<OrderStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.step === step) return status;
    if (Date.now() > deadline) throw new Error(`order stayed at step ${status.step}; expected ${step}`);
    await sleep(50);
  }
}

const failureOf = (promise: Promise<unknown>): Promise<WorkflowFailedError> =>
  rejectionOf(promise, WorkflowFailedError);

function assertOrderFailure(error: WorkflowFailedError, type: string): void {
  assert.ok(error.cause instanceof ApplicationFailure, `expected ApplicationFailure, got ${error.cause?.name}`);
  assert.equal(error.cause.type, type);
  assert.equal(error.cause.nonRetryable, true);
}

describe('OrderFulfilment', () => {
  const server = useTestServer();

  /** Runs `body` while a worker with the given fakes polls a fresh task queue. */
  async function withWorker<T>(
    fakes: OrderFakes,
    body: (start: (input: OrderFulfilmentInput) => Promise<OrderHandle>) => Promise<T>,
  ): Promise<T> {
    const taskQueue = uniqueName('tq');
    const worker = await createTestWorker(server.env, server.bundle, {
      taskQueue,
      activities: createActivities(fakes),
    });
    const start = (input: OrderFulfilmentInput): Promise<OrderHandle> =>
      server.env.client.workflow.start<typeof OrderFulfilment>('OrderFulfilment', {
        taskQueue,
        workflowId: input.orderId,
        args: [input],
      });
    return await worker.runUntil(body(start));
  }

  /** Starts `input` on a worker over `fakes` and runs `body` once the order has reached `step`. */
  async function atStep<T>(
    fakes: OrderFakes,
    input: OrderFulfilmentInput,
    step: OrderStep,
    body: (handle: OrderHandle) => Promise<T>,
  ): Promise<T> {
    return withWorker(fakes, async (start) => {
      const handle = await start(input);
      await waitForStep(handle, step);
      return body(handle);
    });
  }

  it('reserves, charges and ships an order below the approval threshold', async () => {
    const fakes = createOrderFakes();
    const input = orderInput();
    await withWorker(fakes, async (start) => {
      const handle = await start(input);
      const result = await handle.result();

      const [charge] = fakes.payments.ledger();
      const shipment = fakes.shipping.shipmentOf(input.orderId);
      assert.deepEqual(result, {
        orderId: input.orderId,
        chargeId: charge?.chargeId,
        trackingNumber: shipment?.trackingNumber,
        totalCents: 3_999 + 2 * 1_250,
        shippingAddress: input.shippingAddress,
      });
      assert.equal(charge?.amountCents, result.totalCents);
      assert.equal(charge?.refundId, undefined);
      assert.equal(fakes.inventory.reservationOf(input.orderId)?.status, 'held');
      assert.equal(fakes.inventory.available('MUG-BLUE'), 1_000 - 2);
      assert.equal(shipment?.status, 'delivered');

      assert.deepEqual(orderFulfilmentContract.output.parse(result), result, 'the result matches the contract');
      const status = await handle.query(statusQuery);
      assert.deepEqual(orderFulfilmentContract.queries.status.output.parse(status), status);
      assert.equal(status.step, 'completed');
      assert.equal(status.progress, 1);
      assert.deepEqual(status.approval, { required: false });
      assert.equal(status.chargeId, result.chargeId);
      assert.equal(status.trackingNumber, result.trackingNumber);
    });
  });

  it('waits for approval above the threshold, then completes once approved', async () => {
    const fakes = createOrderFakes();
    // Started without the defaulted fields, as the temporal CLI could: the workflow applies the defaults itself.
    const input = { ...orderFulfilmentContract.exampleInput, ...LARGE_ORDER, orderId: uniqueName('order') };
    await withWorker(fakes, async (start) => {
      const handle = await start(input);
      const waiting = await waitForStep(handle, 'awaiting_approval');
      assert.deepEqual(waiting.approval, { required: true });
      assert.equal(waiting.totalCents, 160_000);
      assert.ok(waiting.progress > 0 && waiting.progress < 1, `progress ${waiting.progress}`);
      assert.equal(fakes.inventory.reservationOf(input.orderId)?.status, 'held');
      assert.deepEqual(fakes.payments.ledger(), [], 'nothing is charged before approval');

      await handle.signal(approveSignal, { approvedBy: 'finance@example.com' });
      const result = await handle.result();
      assert.equal(result.totalCents, 160_000);
      assert.equal(fakes.payments.ledger()[0]?.amountCents, 160_000);
      const status = await handle.query(statusQuery);
      assert.equal(status.step, 'completed');
      assert.deepEqual(status.approval, { required: true, approvedBy: 'finance@example.com' });
    });
  });

  it("ignores a threshold in the input, even from a client that bypasses the API: approval is the service's rule", async () => {
    const fakes = createOrderFakes();
    const input = { ...orderInput(LARGE_ORDER), approvalThresholdCents: 10_000_000 } as OrderFulfilmentInput;
    await withWorker(fakes, async (start) => {
      const handle = await start(input);
      const waiting = await waitForStep(handle, 'awaiting_approval');
      assert.equal(waiting.approval.required, true);
      assert.deepEqual(fakes.payments.ledger(), [], 'nothing is charged before approval');
      await handle.terminate('test over');
    });
  });

  it('accepts changeShippingAddress before shipping and ships to the new address', async () => {
    const fakes = createOrderFakes();
    const input = orderInput(LARGE_ORDER);
    await atStep(fakes, input, 'awaiting_approval', async (handle) => {
      const changed = await handle.executeUpdate(changeShippingAddressUpdate, {
        args: [{ shippingAddress: NEW_ADDRESS }],
      });
      assert.deepEqual(changed, NEW_ADDRESS);
      assert.deepEqual((await handle.query(statusQuery)).shippingAddress, NEW_ADDRESS);

      await handle.signal(approveSignal, { approvedBy: 'finance@example.com' });
      const result = await handle.result();
      assert.deepEqual(result.shippingAddress, NEW_ADDRESS);
      assert.deepEqual(fakes.shipping.shipmentOf(input.orderId)?.shippingAddress, NEW_ADDRESS);
    });
  });

  it('rejects changeShippingAddress once shipping has started, and ships to the original address', async () => {
    const fakes = createOrderFakes({ steps: 20, stepMs: 100 });
    const input = orderInput();
    await atStep(fakes, input, 'shipping', async (handle) => {
      const error = await handle
        .executeUpdate(changeShippingAddressUpdate, { args: [{ shippingAddress: NEW_ADDRESS }] })
        .then(
          () => assert.fail('expected the update to be rejected'),
          (error: unknown) => error,
        );
      assert.ok(error instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(error)}`);
      assert.match(String(error.cause?.message), /Shipping address can no longer be changed: the order has shipped/);

      const result = await handle.result();
      assert.deepEqual(result.shippingAddress, input.shippingAddress);
      assert.deepEqual(fakes.shipping.shipmentOf(input.orderId)?.shippingAddress, input.shippingAddress);
      // A rejected update never reaches history: the validator turned it away.
      const history = await handle.fetchHistory();
      assert.equal(history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length, 0);
    });
  });

  it('fails with a non-retryable PaymentDeclined after releasing the stock when the card is declined', async () => {
    const fakes = createOrderFakes();
    const input = orderInput({ payment: { cardToken: 'tok_declined' } });
    await withWorker(fakes, async (start) => {
      const handle = await start(input);
      const error = await failureOf(handle.result());
      assertOrderFailure(error, 'PaymentDeclined');

      assert.equal(fakes.payments.declines, 1, 'a decline is not retried');
      assert.deepEqual(fakes.payments.ledger(), []);
      assert.equal(fakes.inventory.reservationOf(input.orderId)?.status, 'released');
      assert.equal(fakes.inventory.available('MUG-BLUE'), 1_000);
      assert.equal(fakes.shipping.shipmentOf(input.orderId), undefined);
      const status = await handle.query(statusQuery);
      assert.deepEqual(orderFulfilmentContract.queries.status.output.parse(status), status);
      assert.equal(status.step, 'failed');
      assert.equal(status.failure?.type, 'PaymentDeclined');
    });
  });

  it('declines every card while the gateway toggle is on', async () => {
    const fakes = createOrderFakes();
    fakes.payments.setDeclining(true);
    const input = orderInput();
    await withWorker(fakes, async (start) => {
      const error = await failureOf((await start(input)).result());
      assertOrderFailure(error, 'PaymentDeclined');
      assert.equal(fakes.inventory.reservationOf(input.orderId)?.status, 'released');
    });
  });

  it('fails with OutOfStock, charging nothing, when a line cannot be reserved', async () => {
    const fakes = createOrderFakes();
    const input = orderInput({
      items: [
        { sku: 'MUG-BLUE', quantity: 1, unitPriceCents: 1_250 },
        { sku: 'OOS-VINYL', quantity: 1, unitPriceCents: 2_500 },
      ],
    });
    await withWorker(fakes, async (start) => {
      const error = await failureOf((await start(input)).result());
      assertOrderFailure(error, 'OutOfStock');
      assert.match(error.cause?.message ?? '', /OOS-VINYL/);
      assert.equal(fakes.inventory.reservationOf(input.orderId), undefined, 'all or nothing');
      assert.equal(fakes.inventory.available('MUG-BLUE'), 1_000);
      assert.deepEqual(fakes.payments.ledger(), []);
    });
  });

  it('fails with ApprovalTimedOut and releases the stock when nobody approves in time', async () => {
    const fakes = createOrderFakes();
    const input = orderInput({ ...LARGE_ORDER, approvalTimeoutMs: 500 });
    await withWorker(fakes, async (start) => {
      const handle = await start(input);
      const error = await failureOf(handle.result());
      assertOrderFailure(error, 'ApprovalTimedOut');
      assert.equal(fakes.inventory.reservationOf(input.orderId)?.status, 'released');
      assert.equal(fakes.inventory.available('LAPTOP-PRO'), 1_000);
      assert.deepEqual(fakes.payments.ledger(), []);
    });
  });

  it('fails with OrderRejected and releases the stock when the order is rejected', async () => {
    const fakes = createOrderFakes();
    const input = orderInput(LARGE_ORDER);
    await atStep(fakes, input, 'awaiting_approval', async (handle) => {
      await handle.signal(rejectSignal, { rejectedBy: 'finance@example.com', reason: 'customer on credit hold' });
      const error = await failureOf(handle.result());
      assertOrderFailure(error, 'OrderRejected');
      assert.equal(fakes.inventory.reservationOf(input.orderId)?.status, 'released');
      const status = await handle.query(statusQuery);
      assert.equal(status.approval.rejectionReason, 'customer on credit hold');
      assert.equal(status.failure?.type, 'OrderRejected');
    });
  });

  it('fails at once with InvalidOrder when started with a malformed order, bypassing the schema', async () => {
    const fakes = createOrderFakes();
    const { items: _items, ...withoutItems } = orderInput();
    await withWorker(fakes, async (start) => {
      const error = await failureOf((await start(withoutItems as OrderFulfilmentInput)).result());
      assertOrderFailure(error, 'InvalidOrder');
      assert.equal(fakes.inventory.reservationOf(withoutItems.orderId), undefined);
    });
  });

  it('refunds and releases the stock when cancelled during shipping, and ends CANCELLED', async () => {
    const fakes = createOrderFakes({ steps: 50, stepMs: 100 });
    const input = orderInput();
    await atStep(fakes, input, 'shipping', async (handle) => {
      await handle.cancel();
      const error = await failureOf(handle.result());
      assert.ok(error.cause instanceof CancelledFailure, `expected CancelledFailure, got ${error.cause?.name}`);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');

      const [charge] = fakes.payments.ledger();
      assert.ok(charge?.refundId, 'the charge was refunded');
      assert.equal(fakes.inventory.reservationOf(input.orderId)?.status, 'released');
      const shipment = fakes.shipping.shipmentOf(input.orderId);
      assert.equal(shipment?.status, 'stopped', 'the cancellation reached the shipping activity');
      assert.ok((shipment?.completedSteps.length ?? 0) < 50);
      assert.equal((await handle.query(statusQuery)).step, 'cancelled');
    });
  });

  it('retries a stalled shipment after its heartbeat times out, resuming from the last heartbeated leg', async () => {
    const fakes = createOrderFakes({ steps: 4, stepMs: 50 });
    fakes.shipping.stallOnceAfter(2);
    const input = orderInput();
    await withWorker(fakes, async (start) => {
      const handle = await start(input);
      const result = await handle.result();

      const shipment = fakes.shipping.shipmentOf(input.orderId);
      assert.equal(result.trackingNumber, shipment?.trackingNumber);
      assert.deepEqual(shipment?.attempts, [{ fromStep: 0 }, { fromStep: 2 }]);
      assert.deepEqual(shipment?.completedSteps, [1, 2, 3, 4], 'no leg ran twice');
      assert.deepEqual(
        shipment?.reports.map((report) => report.step),
        [0, 1, 2, 2, 3, 4],
      );

      const history = await handle.fetchHistory();
      const shipScheduledId = history.events?.find(
        (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'ship_order',
      )?.eventId;
      const started = history.events?.find(
        (event) =>
          event.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === shipScheduledId?.toString(),
      )?.activityTaskStartedEventAttributes;
      assert.equal(started?.attempt, 2);
      assert.ok(started?.lastFailure?.timeoutFailureInfo, 'the first attempt timed out');
      assert.equal(decodeTimeoutType(started.lastFailure.timeoutFailureInfo.timeoutType), 'HEARTBEAT');
    });
  });
});
