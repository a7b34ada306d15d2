import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../api/router';
import type { ShippingAddress } from '../workflows/order-fulfilment/order-fulfilment.contract';
import { listen, withApi, type TestServer, type ApiUnderTest, useTestServer } from './helpers/api';
import {
  countEvents,
  createOrderFakes,
  eventually,
  historyOf,
  largeOrderInput,
  NEW_ADDRESS,
  orderInput,
  scheduledActivities,
  type OrderFakes,
} from './helpers/orders';
import { uniqueName } from './helpers/temporal';
import { rejection } from './helpers/trpc';

type Trpc = ReturnType<typeof createTRPCClient<AppRouter>>;
type EventsOutput = inferRouterOutputs<AppRouter>['executions']['events'];
/** What onData hands over for a tracked event: its id and the progress event. */
type Tracked = EventsOutput extends AsyncIterable<infer T> ? T : never;

/**
 * Listens the app on a free port and hands `fn` a typed client: subscriptions over SSE (httpSubscriptionLink,
 * with the `eventsource` package since Node 20 has no global EventSource), everything else batched.
 */
function withTrpc(
  server: TestServer,
  fn: (trpc: Trpc, api: ApiUnderTest) => Promise<void>,
  fakes?: OrderFakes,
): Promise<void> {
  return withApi(
    server,
    async (api) => {
      const http = await listen(api.app);
      try {
        // eventsource v3+ is ESM-only; a dynamic import loads it from this CommonJS file.
        const { EventSource } = await import('eventsource');
        const url = `${http.baseUrl}/trpc`;
        const trpc = createTRPCClient<AppRouter>({
          links: [
            splitLink({
              condition: (op) => op.type === 'subscription',
              true: httpSubscriptionLink({ url, EventSource }),
              false: httpBatchLink({ url }),
            }),
          ],
        });
        await fn(trpc, api);
      } finally {
        await http.close();
      }
    },
    fakes ? { activities: fakes.activities } : {},
  );
}

/** Subscribes to executions.events and collects tracked events until the server ends the stream. */
function collectEvents(
  trpc: Trpc,
  input: { workflowId: string; lastEventId?: string },
  onEvent: (event: Tracked) => void = () => {},
): Promise<Tracked[]> {
  return new Promise((resolve, reject) => {
    const events: Tracked[] = [];
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`no end of stream after ${events.length} events`));
    }, 30_000);
    const subscription = trpc.executions.events.subscribe(input, {
      onData: (event) => {
        events.push(event);
        onEvent(event);
      },
      onError: (error) => {
        clearTimeout(timer);
        reject(error);
      },
      onComplete: () => {
        clearTimeout(timer);
        resolve(events);
      },
    });
  });
}

async function awaitOrderStep(trpc: Trpc, workflowId: string, step: string): Promise<void> {
  await eventually(`order ${workflowId} to reach ${step}`, async () => {
    const status = await trpc.workflows.OrderFulfilment.queries.status.query({ workflowId });
    return status.step === step ? status : undefined;
  });
}

async function startLargeOrder(trpc: Trpc): Promise<{ workflowId: string; runId: string; orderId: string }> {
  const input = largeOrderInput();
  const started = await trpc.workflows.OrderFulfilment.start.mutate({ input, workflowId: uniqueName('order') });
  await awaitOrderStep(trpc, started.workflowId, 'awaiting_approval');
  return { ...started, orderId: input.orderId };
}

describe('tRPC lifecycle: messages, executions and the progress subscription', () => {
  const server = useTestServer();

  it('queries, updates and signals an order with typed inputs and answers', () => {
    const fakes = createOrderFakes();
    return withTrpc(
      server,
      async (trpc) => {
        const { workflowId } = await startLargeOrder(trpc);
        const status = await trpc.workflows.OrderFulfilment.queries.status.query({ workflowId });
        assert.equal(status.approval.required, true);

        const updated = await trpc.workflows.OrderFulfilment.updates.changeShippingAddress.mutate({
          workflowId,
          shippingAddress: NEW_ADDRESS,
        });
        assert.equal(updated.status, 'COMPLETED');
        if (updated.status === 'COMPLETED') {
          const address: ShippingAddress = updated.result; // typed by the contract's update output
          assert.deepEqual(address, NEW_ADDRESS);
          const again = await trpc.executions.updateResult.query({ workflowId, updateId: updated.updateId });
          assert.deepEqual(again, updated);
        }

        const signaled = await trpc.workflows.OrderFulfilment.signals.approve.mutate({ workflowId, approvedBy: 'm' });
        assert.deepEqual(signaled, { workflowId, signal: 'approve', status: 'SIGNALED' });

        const outcome = await trpc.executions.result.query({ workflowId, waitMs: 15_000 });
        assert.equal(outcome.status, 'COMPLETED');
        assert.deepEqual(fakes.shipping.shipmentOf(workflowId)?.shippingAddress, NEW_ADDRESS);
        const description = await trpc.executions.describe.query({ workflowId });
        assert.equal(description.status, 'COMPLETED');
      },
      fakes,
    );
  });

  it('reads the result and progress typed by the workflow type (workflows.<Type>.result and .events)', () => {
    const fakes = createOrderFakes();
    return withTrpc(
      server,
      async (trpc) => {
        const { workflowId, orderId } = await startLargeOrder(trpc);
        const steps: string[] = [];
        let firstEvent = (): void => {};
        const subscribed = new Promise<void>((resolve) => (firstEvent = resolve));
        const streamed = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no end of stream; steps ${steps.join(',')}`)), 30_000);
          const subscription = trpc.workflows.OrderFulfilment.events.subscribe(
            { workflowId },
            {
              onData: ({ data }) => {
                firstEvent();
                // Typed by the contract's progress query (status): `step` would not compile on unknown.
                if (data.progress) steps.push(data.progress.step);
                if (data.outcome?.status === 'COMPLETED')
                  steps.push(`done:${data.outcome.result.trackingNumber !== ''}`);
              },
              onError: (error) => {
                clearTimeout(timer);
                reject(error);
              },
              onComplete: () => {
                clearTimeout(timer);
                subscription.unsubscribe();
                resolve();
              },
            },
          );
        });
        await subscribed; // approve only once the stream has reported the wait, so its first step is known
        await trpc.workflows.OrderFulfilment.signals.approve.mutate({ workflowId, approvedBy: 'm' });
        const outcome = await trpc.workflows.OrderFulfilment.result.query({ workflowId, waitMs: 15_000 });
        assert.equal(outcome.status, 'COMPLETED');
        if (outcome.status === 'COMPLETED') {
          // The contract's output type, not unknown: these lines would not compile otherwise.
          const trackingNumber: string = outcome.result.trackingNumber;
          const totalCents: number = outcome.result.totalCents;
          assert.equal(outcome.result.orderId, orderId);
          assert.equal(trackingNumber, fakes.shipping.shipmentOf(workflowId)?.trackingNumber);
          assert.equal(totalCents, 160_000);
        }
        await streamed;
        assert.equal(steps[0], 'awaiting_approval');
        assert.equal(steps.at(-1), 'done:true');

        // The typed operations refuse a workflow of another type instead of mistyping its result.
        const greeting = await trpc.workflows.YourWorkflow.execute.mutate({ input: 'World', waitMs: 10_000 });
        const otherType = await rejection(
          trpc.workflows.OrderFulfilment.result.query({ workflowId: greeting.workflowId }),
        );
        assert.equal(otherType.data?.code, 'BAD_REQUEST');
        const typedGreeting = await trpc.workflows.YourWorkflow.result.query({ workflowId: greeting.workflowId });
        assert.deepEqual(typedGreeting.status === 'COMPLETED' && typedGreeting.result, 'Hello, World!');
        const missing = await rejection(trpc.workflows.YourWorkflow.result.query({ workflowId: uniqueName('none') }));
        assert.equal(missing.data?.code, 'NOT_FOUND');
      },
      fakes,
    );
  });

  it('maps message errors to the same codes as REST', () => {
    const fakes = createOrderFakes({ steps: 20, stepMs: 500 });
    return withTrpc(
      server,
      async (trpc) => {
        const approve = trpc.workflows.OrderFulfilment.signals.approve;
        const missing = await rejection(approve.mutate({ workflowId: uniqueName('missing'), approvedBy: 'x' }));
        assert.equal(missing.data?.code, 'NOT_FOUND');

        const greeting = await trpc.workflows.YourWorkflow.execute.mutate({ input: 'World', waitMs: 10_000 });
        const otherType = await rejection(approve.mutate({ workflowId: greeting.workflowId, approvedBy: 'x' }));
        assert.equal(otherType.data?.code, 'BAD_REQUEST');

        const { workflowId } = await startLargeOrder(trpc);
        // @ts-expect-error approvedBy is required: the typed client refuses the call at compile time too.
        const invalid = await rejection(approve.mutate({ workflowId }));
        assert.equal(invalid.data?.code, 'BAD_REQUEST');
        assert.deepEqual(
          invalid.data?.fieldErrors?.map((issue) => issue.path),
          ['approvedBy'],
        );
        assert.match(invalid.message, /approvedBy/);

        await approve.mutate({ workflowId, approvedBy: 'm' });
        await awaitOrderStep(trpc, workflowId, 'shipping');
        const late = await rejection(
          trpc.workflows.OrderFulfilment.updates.changeShippingAddress.mutate({
            workflowId,
            shippingAddress: NEW_ADDRESS,
          }),
        );
        assert.equal(late.data?.code, 'UNPROCESSABLE_CONTENT');
        assert.equal(late.data?.httpStatus, 422);
        assert.match(String(late.data?.details?.reason), /the order has shipped/);

        await trpc.executions.terminate.mutate({ workflowId, reason: 'test done' });
        const closed = await rejection(approve.mutate({ workflowId, approvedBy: 'x' }));
        assert.equal(closed.data?.code, 'CONFLICT');
      },
      fakes,
    );
  });

  it('signalWithStart starts an absent order or signals the running one; updateWithStart answers early', () =>
    withTrpc(server, async (trpc, { client }) => {
      const freshId = uniqueName('order');
      const fresh = await trpc.workflows.OrderFulfilment.signalWithStart.approve.mutate({
        workflowId: freshId,
        input: largeOrderInput(),
        signal: { approvedBy: 'pre-approved' },
      });
      const freshOutcome = await trpc.executions.result.query({ workflowId: freshId, waitMs: 15_000 });
      assert.equal(freshOutcome.status, 'COMPLETED');
      assert.equal(freshOutcome.runId, fresh.runId);

      const running = await startLargeOrder(trpc);
      const signaled = await trpc.workflows.OrderFulfilment.signalWithStart.approve.mutate({
        workflowId: running.workflowId,
        input: largeOrderInput(),
        signal: { approvedBy: 'second-call' },
      });
      assert.equal(signaled.runId, running.runId, 'the running order was signaled, not started again');
      const outcome = await trpc.executions.result.query({ workflowId: running.workflowId, waitMs: 15_000 });
      assert.equal(outcome.status, 'COMPLETED');
      assert.equal(outcome.runId, running.runId);
      const status = await trpc.workflows.OrderFulfilment.queries.status.query({ workflowId: running.workflowId });
      assert.equal(status.approval.approvedBy, 'second-call');
      const events = await historyOf(client, running.workflowId);
      assert.equal(countEvents(events, 'workflowExecutionStartedEventAttributes'), 1);

      const earlyId = uniqueName('order');
      const early = await trpc.workflows.OrderFulfilment.updateWithStart.changeShippingAddress.mutate({
        workflowId: earlyId,
        input: largeOrderInput(),
        update: { shippingAddress: NEW_ADDRESS },
      });
      assert.equal(early.status, 'COMPLETED');
      if (early.status === 'COMPLETED') assert.deepEqual(early.result, NEW_ADDRESS);
      assert.equal((await trpc.executions.describe.query({ workflowId: earlyId })).status, 'RUNNING');
      await trpc.executions.terminate.mutate({ workflowId: earlyId, reason: 'test done' });
    }));

  it('cancels (compensation runs) and terminates, and refuses both on a closed workflow', () => {
    const fakes = createOrderFakes();
    return withTrpc(
      server,
      async (trpc, { client }) => {
        const order = await startLargeOrder(trpc);
        const cancelled = await trpc.executions.cancel.mutate({ workflowId: order.workflowId });
        assert.deepEqual(cancelled, { workflowId: order.workflowId, runId: order.runId, status: 'CANCEL_REQUESTED' });
        const outcome = await trpc.executions.result.query({ workflowId: order.workflowId, waitMs: 15_000 });
        assert.equal(outcome.status, 'CANCELLED');
        assert.equal(fakes.inventory.reservationOf(order.workflowId)?.status, 'released');
        assert.ok(scheduledActivities(await historyOf(client, order.workflowId)).includes('release_stock'));
        const again = await rejection(trpc.executions.cancel.mutate({ workflowId: order.workflowId }));
        assert.equal(again.data?.code, 'CONFLICT');

        const other = await startLargeOrder(trpc);
        await trpc.executions.terminate.mutate({ workflowId: other.workflowId, reason: 'operator said so' });
        const terminated = await trpc.executions.result.query({ workflowId: other.workflowId });
        assert.equal(terminated.status, 'TERMINATED');
        if (terminated.status === 'TERMINATED') assert.equal(terminated.failure.message, 'operator said so');
        const unknown = await rejection(trpc.executions.terminate.mutate({ workflowId: uniqueName('missing') }));
        assert.equal(unknown.data?.code, 'NOT_FOUND');
      },
      fakes,
    );
  });

  it('lists workflows by type and shows the task queue with its pollers', () =>
    withTrpc(server, async (trpc, { taskQueue }) => {
      const done = await trpc.workflows.YourWorkflow.execute.mutate({ input: 'Listed', waitMs: 10_000 });
      const page = await eventually('the workflow to be listed', async () => {
        const listed = await trpc.executions.list.query({ type: 'YourWorkflow', status: 'COMPLETED', pageSize: 100 });
        return listed.workflows.some((row) => row.workflowId === done.workflowId) ? listed : undefined;
      });
      assert.ok(page.workflows.every((row) => row.type === 'YourWorkflow' && row.status === 'COMPLETED'));

      // The typed client refuses it at compile time; a client that is not typed reaches the server's 400.
      // @ts-expect-error type is a closed set of registered workflow types
      const injected = await rejection(trpc.executions.list.query({ type: "YourWorkflow' OR 1=1" }));
      assert.equal(injected.data?.code, 'BAD_REQUEST');

      const queue = await eventually('both pollers', async () => {
        const view = await trpc.executions.taskQueue.query({ taskQueue });
        return view.workflowPollers.length > 0 && view.activityPollers.length > 0 ? view : undefined;
      });
      assert.equal(queue.taskQueue, taskQueue);
    }));

  it('streams progress over the subscription until closed, and resumes after lastEventId', () =>
    withTrpc(
      server,
      async (trpc) => {
        const { workflowId } = await startLargeOrder(trpc);
        let approval: Promise<unknown> | undefined;
        const events = await collectEvents(trpc, { workflowId }, (event) => {
          // Approve once the stream has shown the order waiting, so that it sees the order move on.
          if (!approval && event.data.progress !== undefined) {
            approval = trpc.workflows.OrderFulfilment.signals.approve.mutate({ workflowId, approvedBy: 'm' });
            approval.catch(() => {}); // awaited below; this only keeps a failure from being unhandled meanwhile
          }
        });
        assert.ok(approval, 'no event with progress arrived');
        await approval;
        assert.ok(events.length >= 2, `only ${events.length} events`);
        const ids = events.map((event) => Number(event.id));
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
          'ids grow',
        );
        assert.equal(new Set(ids).size, ids.length, 'no id twice');
        const first = events[0];
        const last = events.at(-1);
        assert.equal((first?.data.progress as { step?: string } | undefined)?.step, 'awaiting_approval');
        assert.equal(last?.data.status, 'COMPLETED');
        assert.equal(last?.data.outcome?.status, 'COMPLETED');
        assert.ok(events.slice(0, -1).every((event) => event.data.status === 'RUNNING'));

        // Resuming after the first event sends what came after it, ending with the same closed event.
        const resumed = await collectEvents(trpc, { workflowId, lastEventId: first?.id });
        assert.ok(resumed.length > 0);
        assert.ok(Number(resumed[0]?.id) > Number(first?.id), `resumed at ${resumed[0]?.id}, after ${first?.id}`);
        assert.deepEqual(resumed.at(-1), last);
      },
      createOrderFakes({ steps: 4, stepMs: 300 }),
    ));

  it('fails the subscription with NOT_FOUND for an unknown workflow', () =>
    withTrpc(server, async (trpc) => {
      const error = await rejection(collectEvents(trpc, { workflowId: uniqueName('missing') }));
      assert.equal(error.data?.code, 'NOT_FOUND');
    }));

  it('starts an order with a typed input and rejects an invalid one before Temporal', () =>
    withTrpc(server, async (trpc, { client }) => {
      const workflowId = uniqueName('order');
      const bad = await rejection(
        trpc.workflows.OrderFulfilment.start.mutate({
          workflowId,
          input: orderInput({ shippingAddress: { ...NEW_ADDRESS, country: 'XX' } }),
        }),
      );
      assert.deepEqual(
        bad.data?.fieldErrors?.map((issue) => issue.path),
        ['input.shippingAddress.country'],
      );
      await assert.rejects(client.workflow.getHandle(workflowId).describe(), { name: 'WorkflowNotFoundError' });
    }));
});
