import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { useFaultCluster } from '../helpers/fault-cluster';
import { eventually } from '../helpers/process-checks';
import { workerMetricsPort, type RunningProcess } from '../helpers/processes';
import { uniqueName } from '../helpers/temporal';
import { startReceiver, TEST_WEBHOOK_SECRET, type Receiver } from '../helpers/webhook-receiver';

// The receiver is down for 20 s; meanwhile the API and the worker are SIGKILLed and started again. The delivery is
// the CallbackDelivery workflow's, so nothing is lost: once the receiver is back, it gets the webhook, verified, and
// every attempt it saw carried one webhook-id.

const OUTAGE_MS = 20_000;
const ENV = {
  CALLBACK_ALLOWED_URLS: '127.0.0.1',
  CALLBACK_ALLOWED_NETWORKS: '127.0.0.0/8',
  CALLBACK_SIGNING_SECRET: TEST_WEBHOOK_SECRET,
  CALLBACK_RETRY_INITIAL_MS: '500',
  CALLBACK_RETRY_MAX_MS: '2000',
  CALLBACK_ATTEMPT_TIMEOUT_MS: '2000',
};

type Deliveries = { state: string; attempts: number; webhookId: string; lastError?: string }[];

describe('fault: a callback receiver down for 20 s while the API and the worker are SIGKILLed', () => {
  const cluster = useFaultCluster();
  let receiver: Receiver | undefined;
  after(() => receiver?.process.stop('SIGKILL', 1_000));

  async function deliveries(workflowId: string): Promise<Deliveries> {
    const res = await fetch(`${cluster.apiUrl}/api/workflows/${workflowId}/callbacks`);
    return res.ok ? ((await res.json()) as { deliveries: Deliveries }).deliveries : [];
  }

  it('delivers once the receiver is back, with one webhook-id, nothing lost', { timeout: 240_000 }, async (t) => {
    let worker: RunningProcess = await cluster.startWorker(ENV);
    let api: RunningProcess = await cluster.startApi(ENV);
    // Learn a free port from a first receiver, then take it down: the outage starts before the workflow does.
    const { port } = (receiver = await startReceiver());
    await receiver.process.stop('SIGTERM', 2_000);
    const downAt = Date.now();

    const workflowId = uniqueName('callback-outage');
    const started = await fetch(`${cluster.apiUrl}/api/workflows/YourWorkflow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Outage', workflowId, callback: { url: `http://127.0.0.1:${port}/hooks` } }),
    });
    assert.equal(started.status, 200, await started.text());
    const failing = await eventually(async () => (await deliveries(workflowId))[0]?.state === 'RETRYING', 30_000);
    assert.ok(failing, `no failed attempt while the receiver is down: ${JSON.stringify(await deliveries(workflowId))}`);

    await api.stop('SIGKILL', 1_000);
    await worker.stop('SIGKILL', 1_000);
    [worker, api] = [await cluster.startWorker({ ...ENV, WORKER_METRICS_PORT: '0' }), await cluster.startApi(ENV)];
    const metricsPort = workerMetricsPort(await worker.waitForLine(/"message":"worker polling"/, 0));

    // The restarted API knows nothing of the outage but what Temporal holds: its gauge still says how long the
    // callback has waited since the run closed.
    const undeliveredAge = async (): Promise<number> => {
      const text = await (await fetch(`${cluster.apiUrl}/metrics`)).text();
      return Number(/^temporal_http_callback_oldest_undelivered_age_seconds (\S+)$/m.exec(text)?.[1] ?? NaN);
    };
    let age = NaN;
    assert.ok(await eventually(async () => (age = await undeliveredAge()) > 0, 10_000), `undelivered age: ${age}`);

    await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now())); // the outage's length, not a pass/fail decision
    receiver = await startReceiver({ port });
    const got = await receiver.waitFor(workflowId, 60_000);
    assert.equal(got.verified, true, got.error);
    assert.equal(got.event.type, 'temporal-http.workflow.completed');
    assert.equal(got.event.data.result, 'Hello, Outage!');

    const delivered = await eventually(async () => (await deliveries(workflowId))[0]?.state === 'DELIVERED', 30_000);
    const [delivery] = await deliveries(workflowId);
    assert.ok(delivered, JSON.stringify(delivery));
    assert.equal(delivery?.webhookId, got.webhookId, 'the webhook-id the receiver saw is the one listed');
    const posts = receiver.received().filter((item) => item.event.subject === workflowId);
    assert.equal(new Set(posts.map((item) => item.webhookId)).size, 1, 'one webhook-id');
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /temporal_http_callback_deliveries_total\{[^}]*outcome="delivered"[^}]*\} 1/);
    assert.match(metrics, /temporal_http_callback_attempts_total\{[^}]*outcome="ok"[^}]*\} 1/);
    assert.match(metrics, /temporal_http_callback_delivery_lag_seconds_count\{[^}]*\} 1/);
    assert.ok(await eventually(async () => (age = await undeliveredAge()) === 0, 15_000), `once delivered: ${age}`);
    t.diagnostic(`attempts: ${delivery?.attempts}, POSTs the restarted receiver saw: ${posts.length}`);
  });
});
