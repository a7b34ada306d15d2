import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { assertCleanErrorBody, createTestApp, listen, useTestServer, withApi, workflowExists } from './helpers/api';
import { eventually, startOrderAwaitingApproval } from './helpers/orders';
import { openSse, type SseConnection } from './helpers/sse';
import { uniqueName } from './helpers/temporal';

/** A probe that costs nothing when admitted (a describe of no workflow: 404) and is 503 once the bound is full. */
async function boundIsFull(baseUrl: string): Promise<true | undefined> {
  const probe = await request(baseUrl).get(`/api/workflows/${uniqueName('probe')}`);
  return probe.status === 503 ? true : undefined;
}

/** The tRPC subscription's URL as httpSubscriptionLink sends it (GET, input as JSON in the query). */
function trpcEventsUrl(baseUrl: string, workflowId: string): string {
  return `${baseUrl}/trpc/executions.events?input=${encodeURIComponent(JSON.stringify({ workflowId }))}`;
}

describe('admission control: decided by the route, never by a header (in-process API, real dev server)', () => {
  const server = useTestServer();

  it('counts a start sent with Accept: text/event-stream: refused at the bound, nothing started', () =>
    withApi(server, async ({ client, taskQueue }) => {
      const app = createTestApp(client, taskQueue, { env: { API_MAX_IN_FLIGHT: '1' } });
      const workflowId = await startOrderAwaitingApproval(app);
      const api = await listen(app);
      const holder = new AbortController();
      try {
        // One long result wait fills the bound of 1; the probe says when it holds the slot.
        const held = fetch(`${api.baseUrl}/api/workflows/${workflowId}/result?waitMs=20000`, {
          signal: holder.signal,
        }).catch(() => undefined);
        await eventually('the result wait to hold the only slot', () => boundIsFull(api.baseUrl));

        const refusedId = uniqueName('refused');
        const refused = await request(api.baseUrl)
          .post('/api/workflows/YourWorkflow')
          .set('accept', 'text/event-stream')
          .send({ input: 'x', workflowId: refusedId });
        assertCleanErrorBody(refused, 503);
        assert.match(refused.body.message, /Overloaded/);
        assert.equal(await workflowExists(client, refusedId), false, 'no workflow for a refused request');

        const refusedTrpc = await request(api.baseUrl)
          .post('/trpc/workflows.YourWorkflow.start')
          .set('accept', 'text/event-stream')
          .send({ input: 'x', workflowId: refusedId });
        assertCleanErrorBody(refusedTrpc, 503);
        assert.equal(await workflowExists(client, refusedId), false, 'no workflow for a refused tRPC request');

        holder.abort();
        await held;
      } finally {
        holder.abort();
        await api.close();
        await client.workflow.getHandle(workflowId).terminate('test done');
      }
    }));

  it('lets open streams (REST and tRPC, whatever their Accept header) take no slot', () =>
    withApi(server, async ({ client, taskQueue }) => {
      const app = createTestApp(client, taskQueue, { env: { API_MAX_IN_FLIGHT: '1' } });
      const workflowId = await startOrderAwaitingApproval(app);
      const api = await listen(app);
      const streams: SseConnection[] = [];
      try {
        streams.push(await openSse(`${api.baseUrl}/api/workflows/${workflowId}/events`));
        streams.push(await openSse(trpcEventsUrl(api.baseUrl, workflowId)));
        // A subscription is a stream by its route: without the header it is still not counted.
        streams.push(await openSse(trpcEventsUrl(api.baseUrl, workflowId), { accept: '*/*' }));
        for (const stream of streams) {
          assert.equal(stream.response.status, 200);
          const first = await stream.events.next();
          assert.equal(first.done, false, 'each stream is open and has sent its first event');
        }
        // Three streams open against a bound of 1, and the one slot is still free.
        const startedId = uniqueName('admitted');
        const started = await request(api.baseUrl)
          .post('/api/workflows/YourWorkflow')
          .send({ input: 'x', workflowId: startedId });
        assert.equal(started.status, 200, started.text);
        assert.equal(await workflowExists(client, startedId), true);
      } finally {
        for (const stream of streams) stream.drop();
        await api.close();
        await client.workflow.getHandle(workflowId).terminate('test done');
      }
    }));
});
