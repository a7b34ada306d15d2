import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { createApiMetrics } from '../api/metrics';
import { watchedWorkflowCount } from '../api/progress/progress-watcher';
import { createTestApp, listen, useTestServer } from './helpers/api';
import { grpcCallCounter } from './helpers/grpc-calls';
import { createOrderFakes, eventually, startOrderAwaitingApproval } from './helpers/orders';
import { openSse, type SseEvent } from './helpers/sse';
import { createTestWorker, uniqueName } from './helpers/temporal';

async function readToEnd(events: AsyncGenerator<SseEvent>): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('progress streams fan out: one watcher per workflow per API process', () => {
  const server = useTestServer();

  it('N subscribers of one workflow cost Temporal what one does, and all receive the same events', async (t) => {
    const counter = grpcCallCounter();
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
    const metrics = createApiMetrics();
    const app = createTestApp(client, taskQueue, { metrics });
    const streamsOpen = async () => (await metrics.progressStreamsOpen.get()).values[0]?.value ?? 0;
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
        // The API has closed the dropped stream (and unsubscribed it) once its gauge says one is open.
        await eventually('the API to close the dropped stream', async () =>
          (await streamsOpen()) === 1 ? true : undefined,
        );
        assert.equal(watchedWorkflowCount(client), 1, 'one subscriber is left');
        streams[1]?.drop();
        await eventually('the API to close the last stream', async () =>
          (await streamsOpen()) === 0 ? true : undefined,
        );
        assert.equal(watchedWorkflowCount(client), 0, 'no subscriber, no watcher');
        await client.workflow.getHandle(workflowId).terminate('test done');
      });
    } finally {
      await http.close();
    }
  });
});
