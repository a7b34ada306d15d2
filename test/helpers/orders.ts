import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Express } from 'express';
import request from 'supertest';
import { createActivities, type Activities } from '../../activities';
import { FakeInventory } from '../../activities/fakes/fake-inventory';
import { FakePaymentGateway } from '../../activities/fakes/fake-payment-gateway';
import { FakeShippingCarrier, type FakeShippingCarrierOptions } from '../../activities/fakes/fake-shipping-carrier';
import {
  orderFulfilmentContract,
  type OrderFulfilmentInput,
  type OrderStatus,
  type OrderStep,
  type ShippingAddress,
} from '../../workflows/order-fulfilment/order-fulfilment.contract';
import { uniqueName } from './temporal';

/** An address other than the example's, to see an address change arrive. */
export const NEW_ADDRESS: ShippingAddress = {
  name: 'Grace Hopper',
  line1: '1 Navy Yard',
  city: 'Arlington',
  postalCode: '22202',
  country: 'US',
};

/** 2 × 80 000 = 160 000 cents: above the default approval threshold, so the order waits for `approve`. */
export const LARGE_ORDER_ITEMS: OrderFulfilmentInput['items'] = [
  { sku: 'LAPTOP-PRO', quantity: 2, unitPriceCents: 80_000 },
];

/** A valid order as a client sends it (defaults left out), under a fresh orderId. */
export function orderInput(overrides: Partial<OrderFulfilmentInput> = {}): OrderFulfilmentInput {
  return { ...orderFulfilmentContract.exampleInput, orderId: uniqueName('order'), ...overrides };
}

/** An order that stops at awaiting_approval until someone approves or rejects it. */
export function largeOrderInput(overrides: Partial<OrderFulfilmentInput> = {}): OrderFulfilmentInput {
  return orderInput({ items: LARGE_ORDER_ITEMS, ...overrides });
}

/** The worker's outside world, kept by the test so that it can look at stock, charges and parcels afterwards. */
export interface OrderFakes {
  inventory: FakeInventory;
  payments: FakePaymentGateway;
  shipping: FakeShippingCarrier;
  activities: Activities;
}

/** Fakes with fast shipping legs by default; pass slower legs when a test needs shipping to last. */
export function createOrderFakes(shipping: FakeShippingCarrierOptions = { steps: 2, stepMs: 20 }): OrderFakes {
  const fakes = {
    inventory: new FakeInventory(),
    payments: new FakePaymentGateway(),
    shipping: new FakeShippingCarrier(shipping),
  };
  return { ...fakes, activities: createActivities(fakes) };
}

/** Polls `probe` until it returns a value (not undefined), for at most `timeoutMs`; fails naming `what`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(intervalMs);
  }
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The workflow's history events, from the server. */
export async function historyOf(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

/** Names of the activities the workflow scheduled, in order (retries not repeated: one entry per schedule). */
export function scheduledActivities(events: HistoryEvent[]): string[] {
  return events.flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

/** How many events of a kind the history holds, e.g. 'workflowExecutionSignaledEventAttributes'. */
export function countEvents(events: HistoryEvent[], attributes: keyof HistoryEvent): number {
  return events.filter((event) => event[attributes] != null).length;
}

/** Asks the status query over REST until the order reaches `step`; returns that status. */
export function awaitStep(app: Express, workflowId: string, step: OrderStep): Promise<OrderStatus> {
  return eventually(`order ${workflowId} to reach ${step}`, async () => {
    const response = await request(app).get(`/api/workflows/${workflowId}/queries/status`);
    const status = response.status === 200 ? (response.body as OrderStatus) : undefined;
    return status?.step === step ? status : undefined;
  });
}

/** Starts a large order through the API and waits until it is awaiting approval; answers its IDs and input. */
export async function startLargeOrder(
  app: Express,
): Promise<{ workflowId: string; runId: string; input: OrderFulfilmentInput }> {
  const workflowId = uniqueName('order');
  const input = largeOrderInput();
  const started = await request(app).post('/api/workflows/OrderFulfilment').send({ input, workflowId }).expect(200);
  await awaitStep(app, workflowId, 'awaiting_approval');
  return { workflowId, runId: (started.body as { runId: string }).runId, input };
}

/** Starts a large order through the API and waits until it is awaiting approval; answers its workflow ID. */
export async function startOrderAwaitingApproval(app: Express): Promise<string> {
  return (await startLargeOrder(app)).workflowId;
}
