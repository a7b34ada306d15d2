import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCOPES } from '../../api/auth/scopes';
import { TENANT_SEARCH_ATTRIBUTE } from '../../api/auth/tenancy';
import { apiKeysEnv, testKey } from '../helpers/auth';
import { startClusterDeployment, type ClusterDeployment } from '../helpers/cluster-deployment';
import { runCount } from '../helpers/fault-cluster';
import { largeOrderInput, orderInput } from '../helpers/orders';
import { eventually } from '../helpers/process-checks';
import { openSse, type SseEvent } from '../helpers/sse';
import { uniqueName } from '../helpers/temporal';

// The service's main paths on a production-shaped Temporal (npm run cluster: four services, PostgreSQL persistence
// and SQL visibility, 4 history shards), NODE_ENV=production, two API and two worker replicas, callers with tenants.
// Each call goes to the other replica than the one before, as a load balancer would send it.
// Approvals are signed by the calling key (with auth on, approvedBy must be the caller's own name).
const ACME = testKey('acme-ops', [...SCOPES], { tenant: 'acme' });
const GLOBEX = testKey('globex-ops', [...SCOPES], { tenant: 'globex' });
const WAIT_MS = '10000';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the cluster: main paths with two API and two worker replicas', () => {
  let deployment: ClusterDeployment;
  let turn = 0;
  before(async () => {
    deployment = await startClusterDeployment({ env: apiKeysEnv(ACME, GLOBEX) });
  });
  after(() => deployment?.teardown());

  async function call(
    method: string,
    path: string,
    { body, key = ACME, headers = {} }: { body?: unknown; key?: typeof ACME; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Body }> {
    const base = deployment.apiUrls[turn++ % deployment.apiUrls.length];
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: (await response.json()) as Body };
  }
  const result = (workflowId: string, key = ACME): Promise<{ status: number; body: Body }> =>
    call('GET', `/api/workflows/${workflowId}/result?waitMs=${WAIT_MS}`, { key });

  it('readiness: both replicas are ready (Temporal reachable, the tenant search attribute registered)', async () => {
    for (const base of deployment.apiUrls) {
      const response = await fetch(`${base}/readyz`);
      assert.equal(response.status, 200, await response.text());
    }
  });

  it('start, result, describe and execute; the run carries the tenant search attribute', async () => {
    const workflowId = uniqueName('hello');
    const started = await call('POST', '/api/workflows/YourWorkflow', { body: { input: 'World', workflowId } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const done = await result(workflowId);
    assert.equal(done.body.status, 'COMPLETED');
    assert.equal(done.body.result, 'Hello, World!');
    const described = await call('GET', `/api/workflows/${workflowId}`);
    assert.equal(described.status, 200);
    assert.equal(described.body.status, 'COMPLETED');
    const stored = await deployment.client.workflow.getHandle(`acme~${workflowId}`).describe();
    assert.deepEqual(stored.searchAttributes[TENANT_SEARCH_ATTRIBUTE], ['acme']);

    const executed = await call('POST', '/api/workflows/YourWorkflow/execute', { body: { input: 'Cluster' } });
    assert.equal(executed.status, 200, JSON.stringify(executed.body));
    assert.equal(executed.body.result, 'Hello, Cluster!');
  });

  it('signal, query and update on a running order, then its result', async () => {
    const workflowId = uniqueName('order');
    const started = await call('POST', '/api/workflows/OrderFulfilment', {
      body: { input: largeOrderInput(), workflowId },
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.ok(
      await eventually(async () => {
        const query = await call('GET', `/api/workflows/${workflowId}/queries/status`);
        return query.status === 200 && query.body.step === 'awaiting_approval';
      }, 20_000),
      'the order reached awaiting_approval',
    );
    const address = { name: 'Ada', line1: '1 Infinite Loop', city: 'Cupertino', postalCode: '95014', country: 'US' };
    const updated = await call('POST', `/api/workflows/${workflowId}/updates/changeShippingAddress`, {
      body: { shippingAddress: address },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.result?.city, 'Cupertino');
    const signalled = await call('POST', `/api/workflows/${workflowId}/signals/approve`, {
      body: { approvedBy: ACME.entry.name },
    });
    assert.equal(signalled.status, 202);
    const done = await result(workflowId);
    assert.equal(done.body.status, 'COMPLETED', JSON.stringify(done.body));
  });

  it('signal-with-start and update-with-start', async () => {
    const signalled = uniqueName('sws');
    const sws = await call('POST', '/api/workflows/OrderFulfilment/signal-with-start/approve', {
      body: { workflowId: signalled, input: largeOrderInput(), signal: { approvedBy: ACME.entry.name } },
    });
    assert.ok([200, 202].includes(sws.status), JSON.stringify(sws.body));
    assert.equal((await result(signalled)).body.status, 'COMPLETED');

    const early = uniqueName('uws');
    const uws = await call('POST', '/api/workflows/OrderFulfilment/update-with-start/waitForPayment', {
      body: { workflowId: early, input: orderInput(), update: {} },
    });
    assert.equal(uws.status, 200, JSON.stringify(uws.body));
    assert.match(uws.body.result?.chargeId ?? '', /^ch_/);
    assert.equal((await result(early)).body.status, 'COMPLETED');
  });

  it('cancel and terminate; list filters by type and status, and by tenant', async () => {
    const cancelled = uniqueName('cancel');
    const terminated = uniqueName('terminate');
    for (const workflowId of [cancelled, terminated]) {
      const started = await call('POST', '/api/workflows/OrderFulfilment', {
        body: { input: largeOrderInput(), workflowId },
      });
      assert.equal(started.status, 200);
    }
    assert.equal((await call('POST', `/api/workflows/${cancelled}/cancel`)).status, 202);
    const stop = await call('POST', `/api/workflows/${terminated}/terminate`, { body: { reason: 'test' } });
    assert.ok([200, 202].includes(stop.status), JSON.stringify(stop.body));
    assert.equal((await result(cancelled)).body.status, 'CANCELLED');
    assert.equal((await result(terminated)).body.status, 'TERMINATED');

    // SQL visibility answers the filters (eventually: visibility follows the run's close).
    const listed = async (query: string, key = ACME): Promise<string[]> => {
      const page = await call('GET', `/api/workflows?${query}&pageSize=100`, { key });
      assert.equal(page.status, 200, JSON.stringify(page.body));
      return (page.body.workflows as { workflowId: string }[]).map((run) => run.workflowId);
    };
    assert.ok(
      await eventually(
        async () => (await listed('type=OrderFulfilment&status=TERMINATED')).includes(terminated),
        20_000,
      ),
      'the terminated order is listed under TERMINATED',
    );
    const cancelledList = await listed('type=OrderFulfilment&status=CANCELLED');
    assert.ok(cancelledList.includes(cancelled));
    assert.ok(!cancelledList.includes(terminated), 'the status filter holds');
    assert.ok(!(await listed('type=YourWorkflow')).includes(cancelled), 'the type filter holds');
    // Another tenant sees none of it, neither in lists nor by ID.
    assert.deepEqual(await listed('type=OrderFulfilment', GLOBEX), []);
    assert.equal((await call('GET', `/api/workflows/${cancelled}`, { key: GLOBEX })).status, 404);
  });

  it('idempotency keys: the same key on both replicas is one run', async () => {
    const key = uniqueName('key');
    const headers = { 'idempotency-key': key };
    const body = { input: 'Once' };
    const first = await call('POST', '/api/workflows/YourWorkflow/execute', { body, headers });
    const second = await call('POST', '/api/workflows/YourWorkflow/execute', { body, headers });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(second.body.runId, first.body.runId);
    assert.equal(await runCount(deployment.client, `acme~${first.body.workflowId as string}`), 1);
  });

  it('the progress stream: progress events, then closed with the outcome', async () => {
    const workflowId = uniqueName('stream');
    await call('POST', '/api/workflows/OrderFulfilment', { body: { input: largeOrderInput(), workflowId } });
    const stream = await openSse(`${deployment.apiUrls[0]}/api/workflows/${workflowId}/events`, {
      authorization: `Bearer ${ACME.key}`,
    });
    assert.equal(stream.response.status, 200);
    const first = await stream.events.next();
    assert.ok(!first.done);
    assert.equal(first.value.event, 'progress');
    await call('POST', `/api/workflows/${workflowId}/signals/approve`, { body: { approvedBy: ACME.entry.name } });
    const events: SseEvent[] = [first.value];
    for await (const event of stream.events) events.push(event);
    const last = events.at(-1);
    assert.equal(last?.event, 'closed');
    assert.equal((JSON.parse(last?.data ?? '{}') as Body).status, 'COMPLETED');
  });
});
