import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { useFaultCluster } from '../helpers/fault-cluster';
import { largeOrderInput } from '../helpers/orders';
import { openSse } from '../helpers/sse';
import { uniqueName } from '../helpers/temporal';

const DRAIN_DELAY_MS = 3_000;

describe('fault: the API process gets SIGTERM (graceful drain)', () => {
  const cluster = useFaultCluster((started) => started.startWorker());

  it('fails readiness, refuses new requests with Retry-After, ends waits with 202 and streams with retry, then exits', async () => {
    const api = await cluster.startApi({ API_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS) });
    const workflowId = uniqueName('order');
    const execute = fetch(`${cluster.apiUrl}/api/workflows/OrderFulfilment/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: largeOrderInput(), workflowId, waitMs: 60_000 }),
    });
    // The order waits for approval: the execute's wait stays open until the drain ends it.
    let stream: Awaited<ReturnType<typeof openSse>> | undefined;
    for (let tries = 0; !stream && tries < 100; tries++) {
      const opened = await openSse(`${cluster.apiUrl}/api/workflows/${workflowId}/events`);
      if (opened.response.status === 200) stream = opened;
      else await sleep(100);
    }
    assert.ok(stream, 'the progress stream opened');
    assert.equal((await stream.events.next()).done, false);
    assert.equal((await fetch(`${cluster.apiUrl}/readyz`)).status, 200);

    const exited = api.stop('SIGTERM', 30_000);
    const executed = await execute;
    assert.equal(executed.status, 202);
    const body = (await executed.json()) as { status: string; workflowId: string; resultUrl: string };
    assert.equal(body.status, 'RUNNING');
    assert.equal(body.resultUrl, `/api/workflows/${workflowId}/result`);

    const rest: string[] = [];
    for await (const event of stream.events) rest.push(`${event.event}:${event.retry ?? ''}`);
    assert.deepEqual(rest, ['draining:1000']);

    const ready = await fetch(`${cluster.apiUrl}/readyz`);
    assert.equal(ready.status, 503, 'readiness fails during the drain');
    const refused = await fetch(`${cluster.apiUrl}/api/workflows/YourWorkflow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'late' }),
    });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');

    const { code } = await exited;
    assert.equal(code, 0, `the API exits cleanly after the drain:\n${api.output()}`);
    assert.match(api.output(), /"message":"api shutting down"[\s\S]*"message":"api stopped"/);
    // The workflow itself is untouched by the API's shutdown.
    assert.equal((await cluster.client.workflow.getHandle(workflowId).describe()).status.name, 'RUNNING');
    await cluster.client.workflow.getHandle(workflowId).terminate('test done');
  });
});
