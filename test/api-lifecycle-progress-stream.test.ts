import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { watchedWorkflowCount } from '../api/progress/progress-watcher';
import type { OrderStatus } from '../workflows/order-fulfilment/order-fulfilment.contract';
import { completedGreeting, listen, withApi, useTestServer } from './helpers/api';
import { createOrderFakes, eventually } from './helpers/orders';
import { withOrderEvents } from './helpers/order-events';
import { openSse, type SseEvent } from './helpers/sse';
import { uniqueName } from './helpers/temporal';

interface ProgressEvent {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  historyLength: number;
  progress?: OrderStatus;
  outcome?: { status: string; result?: { trackingNumber: string } };
}

const payloadOf = (event: SseEvent): ProgressEvent => JSON.parse(event.data) as ProgressEvent;

/** Reads events until the stream ends; fails if it sends anything after `closed`. */
async function readToEnd(events: AsyncGenerator<SseEvent>): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for await (const event of events) {
    assert.notEqual(seen.at(-1)?.event, 'closed', 'an event came after closed');
    seen.push(event);
  }
  return seen;
}

function assertIncreasingIds(events: SseEvent[], after = -1): void {
  let previous = after;
  for (const event of events) {
    const id = Number(event.id);
    assert.ok(Number.isInteger(id) && id > previous, `event id ${event.id} does not follow ${previous}`);
    assert.equal(payloadOf(event).historyLength, id, 'the id is the history length');
    previous = id;
  }
}

describe('REST lifecycle: progress stream (Server-Sent Events)', () => {
  const server = useTestServer();

  // Shipping lasts a few seconds, so the stream (woken by each history change) sees the order while it ships.
  const slowEnough = () => createOrderFakes({ steps: 6, stepMs: 400 }).activities;

  it('streams progress events with growing ids, then one closed event with the outcome, then ends', () =>
    withApi(
      server,
      async ({ app }) => {
        await withOrderEvents(app, async (url, workflowId) => {
          const stream = await openSse(url);
          assert.equal(stream.response.status, 200);
          assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);

          const first = await stream.events.next();
          assert.ok(!first.done, 'the stream ended before any event');
          assert.equal(first.value.event, 'progress');
          assert.equal(payloadOf(first.value).progress?.step, 'awaiting_approval');
          assert.equal(payloadOf(first.value).status, 'RUNNING');

          await request(app).post(`/api/workflows/${workflowId}/signals/approve`).send({ approvedBy: 'm' }).expect(202);
          const events = [first.value, ...(await readToEnd(stream.events))];
          assertIncreasingIds(events);

          const last = events.at(-1);
          assert.equal(last?.event, 'closed');
          const closed = payloadOf(last as SseEvent);
          assert.equal(closed.status, 'COMPLETED');
          assert.equal(closed.outcome?.status, 'COMPLETED');
          assert.match(closed.outcome?.result?.trackingNumber ?? '', /^TRK/);
          const steps = events.slice(0, -1).map((event) => payloadOf(event).progress?.step);
          assert.ok(steps.includes('shipping'), `live progress never showed shipping: ${steps.join(', ')}`);
          assert.ok(
            events.slice(0, -1).every((event) => event.event === 'progress'),
            'only the last event is closed',
          );
        });
      },
      { activities: slowEnough() },
    ));

  it('resumes after a dropped connection from Last-Event-ID without resending that event', () =>
    withApi(
      server,
      async ({ app, client }) => {
        await withOrderEvents(app, async (url, workflowId) => {
          const firstConnection = await openSse(url);
          const seen = await firstConnection.events.next();
          assert.ok(!seen.done);
          const lastId = Number(seen.value.id);
          firstConnection.drop();
          await eventually('the API to drop its watcher with the last subscriber', async () =>
            watchedWorkflowCount(client) === 0 ? true : undefined,
          );

          // Reconnect while nothing has changed (a server that ignored Last-Event-ID would resend event lastId),
          // and change something only once the server has subscribed the resumed stream (its watcher is back).
          // The response starts with the first new event, so it is awaited after the approval.
          const resuming = openSse(url, { 'last-event-id': String(lastId) });
          await eventually('the resumed stream to be subscribed', async () =>
            watchedWorkflowCount(client) === 1 ? true : undefined,
          );
          await request(app).post(`/api/workflows/${workflowId}/signals/approve`).send({ approvedBy: 'm' }).expect(202);
          const resumed = await resuming;
          assert.equal(resumed.response.status, 200);
          const events = await readToEnd(resumed.events);
          assert.ok(events.length > 0, 'the resumed stream sent nothing');
          assert.ok(Number(events[0]?.id) > lastId, `resumed at ${events[0]?.id}, not after ${lastId}`);
          assertIncreasingIds(events, lastId);
          assert.equal(events.at(-1)?.event, 'closed');
          assert.equal(payloadOf(events.at(-1) as SseEvent).outcome?.status, 'COMPLETED');
        });
      },
      { activities: slowEnough() },
    ));

  it('answers 404 JSON, not a stream, for an unknown workflow, and 400 for an invalid ID', () =>
    withApi(server, async ({ app }) => {
      const http = await listen(app);
      try {
        const unknown = await fetch(`${http.baseUrl}/api/workflows/${uniqueName('missing')}/events`, {
          headers: { accept: 'text/event-stream' },
        });
        assert.equal(unknown.status, 404);
        assert.match(unknown.headers.get('content-type') ?? '', /application\/json/);
        const body = (await unknown.json()) as { code: string };
        assert.equal(body.code, 'NOT_FOUND');

        const invalid = await fetch(`${http.baseUrl}/api/workflows/-bad%20id/events`);
        assert.equal(invalid.status, 400);
        assert.match(invalid.headers.get('content-type') ?? '', /application\/json/);
        await invalid.body?.cancel();
      } finally {
        await http.close();
      }
    }));

  it('sends only the closed event for a workflow that has already closed', () =>
    withApi(server, async ({ app }) => {
      const workflowId = uniqueName('greeting');
      const done = await request(app)
        .post('/api/workflows/YourWorkflow/execute')
        .send({ input: 'World', workflowId, waitMs: 10_000 });
      assert.equal(done.body.status, 'COMPLETED', done.text);
      const http = await listen(app);
      try {
        const stream = await openSse(`${http.baseUrl}/api/workflows/${workflowId}/events`);
        const events = await readToEnd(stream.events);
        assert.deepEqual(
          events.map((event) => event.event),
          ['closed'],
        );
        assert.deepEqual(payloadOf(events[0] as SseEvent).outcome, done.body);
      } finally {
        await http.close();
      }
    }));

  it('answers 204 when resuming a closed workflow past its last event, so EventSource stops reconnecting', () =>
    withApi(server, async ({ app }) => {
      const workflowId = await completedGreeting(app);
      const http = await listen(app);
      try {
        const first = await openSse(`${http.baseUrl}/api/workflows/${workflowId}/events`);
        const [closed] = await readToEnd(first.events);
        assert.equal(closed?.event, 'closed');
        const resumed = await fetch(`${http.baseUrl}/api/workflows/${workflowId}/events`, {
          headers: { accept: 'text/event-stream', 'last-event-id': String(closed?.id) },
        });
        assert.equal(resumed.status, 204);
      } finally {
        await http.close();
      }
    }));

  it('sends the stream headers at once, before anything changes in a quiet workflow', () =>
    withApi(server, async ({ app }) => {
      // The order waits for approval: nothing happens until a signal.
      await withOrderEvents(app, async (url, workflowId) => {
        const { historyLength } = (await request(app).get(`/api/workflows/${workflowId}`).expect(200)).body as {
          historyLength: number;
        };
        const stream = await Promise.race([
          openSse(url, { 'last-event-id': String(historyLength) }),
          sleep(5_000).then(() => assert.fail('no stream headers within 5 s')),
        ]);
        // fetch resolves on the response headers: no event has been sent, none is due.
        assert.equal(stream.response.status, 200);
        assert.match(stream.response.headers.get('content-type') ?? '', /text\/event-stream/);
        stream.drop();
        await request(app).post(`/api/workflows/${workflowId}/terminate`).send({ reason: 'test over' }).expect(200);
      });
    }));
});
