import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { FakeInventory } from '../activities/fakes/fake-inventory';
import { FakePaymentGateway } from '../activities/fakes/fake-payment-gateway';
import { FakeShippingCarrier, type FakeShippingCarrierOptions } from '../activities/fakes/fake-shipping-carrier';
import { createOrderActivities } from '../activities/order-activities';
import type { ShippingProgress } from '../activities/order-services';
import { orderFulfilmentContract } from '../workflows/order-fulfilment/order-fulfilment.contract';
import { rejectionOf } from './helpers/rejection';

// The activities' own guarantees (idempotency, failure types, resuming from heartbeats), checked in the
// SDK's activity context without a server; the workflow tests cover how the workflow uses them.
const { items, shippingAddress } = orderFulfilmentContract.exampleInput;

function setup(shipping: FakeShippingCarrierOptions = { steps: 4, stepMs: 5 }): {
  activities: ReturnType<typeof createOrderActivities>;
  inventory: FakeInventory;
  payments: FakePaymentGateway;
  shipping: FakeShippingCarrier;
} {
  const services = {
    inventory: new FakeInventory(),
    payments: new FakePaymentGateway(),
    shipping: new FakeShippingCarrier(shipping),
  };
  return { ...services, activities: createOrderActivities(services) };
}

/** Runs an activity as Temporal would for the order workflow `workflowId`: the services key the order by that ID. */
function inOrder<A extends unknown[], R>(
  workflowId: string,
  activity: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  return new MockActivityEnvironment({ workflowExecution: { workflowId, runId: `${workflowId}-run` } }).run(
    activity,
    ...args,
  );
}

describe('order activities', () => {
  it('reserve_stock reserves once per order, and release_stock returns the stock once', async () => {
    const { activities, inventory } = setup();
    const first = await inOrder('o-1', activities.reserve_stock, { orderId: 'o-1', items });
    const again = await inOrder('o-1', activities.reserve_stock, { orderId: 'o-1', items });
    assert.equal(again.reservationId, first.reservationId);
    assert.equal(inventory.available('MUG-BLUE'), 1_000 - 2);

    assert.deepEqual(await inOrder('o-1', activities.release_stock, { orderId: 'o-1' }), { released: true });
    assert.deepEqual(await inOrder('o-1', activities.release_stock, { orderId: 'o-1' }), { released: false });
    assert.equal(inventory.available('MUG-BLUE'), 1_000);
  });

  it('reserve_stock fails non-retryably with OutOfStock and takes nothing', async () => {
    const { activities, inventory } = setup();
    inventory.setStock('MUG-BLUE', 1);
    const failure = await rejectionOf(
      inOrder('o-2', activities.reserve_stock, { orderId: 'o-2', items }),
      ApplicationFailure,
    );
    assert.equal(failure.type, 'OutOfStock');
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual(failure.details, [{ sku: 'MUG-BLUE', requested: 2, available: 1 }]);
    assert.equal(inventory.available('BOOK-TEMPORAL'), 1_000);
  });

  it('charge_payment charges once per order, and refund_payment refunds that charge once', async () => {
    const { activities, payments } = setup();
    const request = { orderId: 'o-3', customerId: 'c-1', amountCents: 6_499, cardToken: 'tok_visa' };
    const first = await inOrder('o-3', activities.charge_payment, request);
    assert.deepEqual(await inOrder('o-3', activities.charge_payment, request), first);
    assert.equal(payments.ledger().length, 1);

    const refund = await inOrder('o-3', activities.refund_payment, { orderId: 'o-3' });
    assert.ok(refund.refundId);
    assert.deepEqual(await inOrder('o-3', activities.refund_payment, { orderId: 'o-3' }), refund);
    assert.deepEqual(await inOrder('never-charged', activities.refund_payment, { orderId: 'never-charged' }), {
      refundId: null,
    });
  });

  it('charge_payment fails non-retryably with PaymentDeclined for a declined card', async () => {
    const { activities, payments } = setup();
    const failure = await rejectionOf(
      inOrder('o-4', activities.charge_payment, {
        orderId: 'o-4',
        customerId: 'c-1',
        amountCents: 100,
        cardToken: 'tok_declined',
      }),
      ApplicationFailure,
    );
    assert.equal(failure.type, 'PaymentDeclined');
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual(payments.ledger(), []);
  });

  it('ship_order heartbeats each leg and resumes from the heartbeat details of an earlier attempt', async () => {
    const { activities, shipping } = setup();
    const env = new MockActivityEnvironment({
      attempt: 2,
      heartbeatDetails: { step: 2, totalSteps: 4 },
      workflowExecution: { workflowId: 'o-5', runId: 'o-5-run' },
    });
    const heartbeats: ShippingProgress[] = [];
    env.on('heartbeat', (details: ShippingProgress) => heartbeats.push(details));

    const result = await env.run(activities.ship_order, { orderId: 'o-5', items, shippingAddress });
    const shipment = shipping.shipmentOf('o-5');
    assert.deepEqual(result, { trackingNumber: shipment?.trackingNumber });
    assert.deepEqual(shipment?.attempts, [{ fromStep: 2 }]);
    assert.deepEqual(shipment?.completedSteps, [3, 4]);
    assert.deepEqual(
      heartbeats.map((beat) => beat.step),
      [2, 3, 4],
    );
  });

  it('ship_order stops the shipment when the activity is cancelled', async () => {
    const { activities, shipping } = setup({ steps: 100, stepMs: 50 });
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'o-6', runId: 'o-6-run' } });
    const run = env.run(activities.ship_order, { orderId: 'o-6', items, shippingAddress });
    setTimeout(() => env.cancel(), 120);
    await assert.rejects(run, (error: Error) => error.name === 'AbortError' || error.name === 'CancelledFailure');
    const shipment = shipping.shipmentOf('o-6');
    assert.equal(shipment?.status, 'stopped');
    assert.ok((shipment?.completedSteps.length ?? 0) < 100);
  });

  it('keys every side effect by the workflow ID, not the orderId: two orders "A-1" under two IDs never meet', async () => {
    const { activities, inventory, payments, shipping } = setup();
    const order = { orderId: 'A-1', customerId: 'c-1', amountCents: 500, cardToken: 'tok_visa' };
    const first = await inOrder('acme~order-A-1', activities.charge_payment, order);
    const second = await inOrder('globex~order-A-1', activities.charge_payment, order);
    assert.notEqual(first.chargeId, second.chargeId, 'the second tenant got its own charge');
    await inOrder('acme~order-A-1', activities.reserve_stock, { orderId: 'A-1', items });
    await inOrder('globex~order-A-1', activities.reserve_stock, { orderId: 'A-1', items });
    await inOrder('globex~order-A-1', activities.ship_order, { orderId: 'A-1', items, shippingAddress });
    assert.equal(shipping.shipmentOf('acme~order-A-1'), undefined, 'nothing shipped for the other order');

    // Compensating one order refunds its own charge and releases its own stock only.
    await inOrder('globex~order-A-1', activities.refund_payment, { orderId: 'A-1' });
    await inOrder('globex~order-A-1', activities.release_stock, { orderId: 'A-1' });
    const ledger = new Map(payments.ledger().map((charge) => [charge.chargeId, charge]));
    assert.equal(ledger.get(first.chargeId)?.refundId, undefined);
    assert.ok(ledger.get(second.chargeId)?.refundId);
    assert.equal(inventory.reservationOf('acme~order-A-1')?.status, 'held');
    assert.equal(inventory.reservationOf('globex~order-A-1')?.status, 'released');
  });
});
