import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { watchedWorkflowCount } from '../api/progress/progress-watcher';
import { createTestApp, listen, useTestServer } from './helpers/api';
import { createOrderFakes, startOrderAwaitingApproval } from './helpers/orders';
import { openSse, type SseEvent } from './helpers/sse';
import { createTestWorker, uniqueName } from './helpers/temporal';

const WATCH_METHODS = ['GetWorkflowExecutionHistory', 'DescribeWorkflowExecution', 'QueryWorkflow'] as const;
type WatchMethod = (typeof WATCH_METHODS)[number];
type Decoder = { decode(bytes: Uint8Array): { execution?: { workflowId?: string | null } | null } };
const requestTypes = temporal.api.workflowservice.v1 as unknown as Record<string, Decoder>;

/** Counts the calls a client makes to Temporal, per workflow ID and method, by decoding each request. */
function callCounter(): { interceptor: Interceptor; count(workflowId: string, method?: WatchMethod): number } {
  const calls: { workflowId: string; method: string }[] = [];
  const interceptor: Interceptor = (options, nextCall) => {
    const method = options.method_definition.path.split('/').pop() ?? '';
    return new InterceptingCall(nextCall(options), {
      sendMessage(message: Uint8Array, next) {
        const decoder = requestTypes[`${method}Request`];
        if (WATCH_METHODS.includes(method as WatchMethod) && decoder) {
          calls.push({ method, workflowId: decoder.decode(message).execution?.workflowId ?? '' });
        }
        next(message);
      },
    });
  };
  return {
    interceptor,
    count: (workflowId, method) =>
      calls.filter((call) => call.workflowId === workflowId && (!method || call.method === method)).length,
  };
}

async function readToEnd(events: AsyncGenerator<SseEvent>): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('progress streams fan out: one watcher per workflow per API process', () => {
  const server = useTestServer();

  it('N subscribers of one workflow cost Temporal what one does, and all receive the same events', async (t) => {
    const counter = callCounter();
    const connection = await Connection.connect({ address: server.env.address, interceptors: [counter.interceptor] });
    const client = new Client({ connection, namespace: server.env.namespace ?? 'default' });
    const taskQueue = uniqueName('fanout-tq');
    const worker = await createTestWorker(server.env, server.bundle, {
      taskQueue,
      activities: createOrderFakes({ steps: 4, stepMs: 300 }).activities,
    });
    const app = createTestApp(client, taskQueue);
    const http = await listen(app);
    try {
      await worker.runUntil(async () => {
        /** Watches one order from awaiting approval to its end with `subscribers` streams; returns calls and events. */
        const watch = async (subscribers: number) => {
          const workflowId = await startOrderAwaitingApproval(app);
          const before = counter.count(workflowId);
          const first = await openSse(`${http.baseUrl}/api/workflows/${workflowId}/events`);
          const firstEvent = await first.events.next();
          assert.equal(firstEvent.done, false);
          const afterFirst = { describe: counter.count(workflowId, 'DescribeWorkflowExecution') };
          // The others join a watched workflow: they get the latest snapshot from the watcher, not from Temporal.
          const others = await Promise.all(
            Array.from({ length: subscribers - 1 }, () =>
              openSse(`${http.baseUrl}/api/workflows/${workflowId}/events`),
            ),
          );
          const othersFirst = await Promise.all(others.map((stream) => stream.events.next()));
          assert.equal(
            counter.count(workflowId, 'DescribeWorkflowExecution'),
            afterFirst.describe,
            'joining subscribers made no describe call',
          );
          assert.equal(watchedWorkflowCount(client), 1, 'one watcher for the workflow');
          await request(app)
            .post(`/api/workflows/${workflowId}/signals/approve`)
            .send({ approvedBy: 'fan-out test' })
            .expect(202);
          const streams = await Promise.all([first, ...others].map((stream) => readToEnd(stream.events)));
          const received = streams.map((rest, i) =>
            [i === 0 ? firstEvent.value : othersFirst[i - 1]?.value, ...rest].map(
              (event) => `${event?.id} ${event?.event} ${event?.data}`,
            ),
          );
          return { calls: counter.count(workflowId) - before, received };
        };

        const one = await watch(1);
        const many = await watch(8);
        t.diagnostic(`1 subscriber: ${one.calls} calls, ${one.received[0]?.length} events`);
        t.diagnostic(`8 subscribers: ${many.calls} calls, ${many.received[0]?.length} events`);
        for (const received of many.received)
          assert.deepEqual(received, many.received[0], 'every subscriber got the same events');
        assert.match(many.received[0]?.at(-1) ?? '', / closed /, 'the stream ends with the closed event');
        // The same work per history change, whatever the number of subscribers (8 × would be 8 times one).
        // The two orders' histories may wake the watcher a different number of times, so allow a small margin.
        assert.ok(
          many.calls <= one.calls * 1.3 + 3,
          `8 subscribers made ${many.calls} calls where one made ${one.calls}`,
        );
        assert.equal(watchedWorkflowCount(client), 0, 'the watchers stopped with their workflows');
      });
    } finally {
      await http.close();
      await connection.close();
    }
  });

  it('stops watching when the last subscriber leaves', async () => {
    const taskQueue = uniqueName('fanout-leave-tq');
    const client = server.env.client;
    const worker = await createTestWorker(server.env, server.bundle, { taskQueue });
    const app = createTestApp(client, taskQueue);
    const http = await listen(app);
    try {
      await worker.runUntil(async () => {
        const workflowId = await startOrderAwaitingApproval(app);
        const streams = await Promise.all(
          [1, 2].map(() => openSse(`${http.baseUrl}/api/workflows/${workflowId}/events`)),
        );
        await Promise.all(streams.map((stream) => stream.events.next()));
        assert.equal(watchedWorkflowCount(client), 1);
        streams[0]?.drop();
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(watchedWorkflowCount(client), 1, 'one subscriber is left');
        streams[1]?.drop();
        const deadline = Date.now() + 5_000;
        while (watchedWorkflowCount(client) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.equal(watchedWorkflowCount(client), 0, 'no subscriber, no watcher');
        await client.workflow.getHandle(workflowId).terminate('test done');
      });
    } finally {
      await http.close();
    }
  });
});
