import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { loadConfig } from '../common/config';
import { TENANT_SEARCH_ATTRIBUTE } from '../common/search-attributes';
import { assertErrorAnswer, useTestServer, withApi, workflowExists } from './helpers/api';
import { apiKeysEnv, testKey, type TestKey } from './helpers/auth';
import { createOrderFakes, eventually, largeOrderInput } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

/** A key for a tenant of its own (the test server is shared by the file) with a cap of `maxRunning` open runs. */
function cappedKey(maxRunning: number): TestKey & { tenant: string } {
  const tenant = uniqueName('t');
  const key = testKey(tenant, [...SCOPES], { tenant });
  Object.assign(key.entry, { maxRunning });
  return { ...key, tenant };
}

/** Open runs of the type visibility counts for the tenant (what the cap reads). */
async function openRuns(client: Client, tenant: string, type = 'OrderFulfilment'): Promise<number> {
  const query = `${TENANT_SEARCH_ATTRIBUTE} = '${tenant}' AND WorkflowType = '${type}' AND ExecutionStatus = 'Running'`;
  return (await client.workflow.count(query)).count;
}

describe('maxRunning: a tenant cap on open runs of a type, against a real dev server', () => {
  const server = useTestServer();
  // Large orders wait for approval: they stay open until the test ends them.
  const order = (workflowId: string) => ({ workflowId, input: largeOrderInput() });

  it('answers 429 with Retry-After and the count once the tenant is at its cap, over both transports, starting nothing', async () => {
    const key = cappedKey(2);
    const other = testKey(uniqueName('other'), [...SCOPES], { tenant: uniqueName('o') });
    await withApi(
      server,
      async ({ app, client }) => {
        const post = (path: string, body: object, as = key.key) =>
          request(app).post(path).set('x-api-key', as).send(body);
        const open = [uniqueName('open'), uniqueName('open')];
        for (const workflowId of open) await post('/api/workflows/OrderFulfilment', order(workflowId)).expect(200);
        await eventually('visibility counts both open runs', async () =>
          (await openRuns(client, key.tenant)) === 2 ? true : undefined,
        );

        const refusedId = uniqueName('refused');
        const refused = await post('/api/workflows/OrderFulfilment', order(refusedId));
        assertErrorAnswer(refused, 429);
        assert.equal(refused.body.code, 'TOO_MANY_REQUESTS');
        assert.equal(refused.headers['retry-after'], '1');
        assert.deepEqual(
          { running: refused.body.data.details.running, maxRunning: refused.body.data.details.maxRunning },
          { running: 2, maxRunning: 2 },
        );
        assert.match(refused.body.message, /2 runs of OrderFulfilment are open for this tenant/);

        const viaTrpc = await request(app)
          .post('/trpc/workflows.OrderFulfilment.start')
          .set('x-api-key', key.key)
          .send(order(uniqueName('refused-trpc')));
        assert.equal(viaTrpc.status, 429, viaTrpc.text);
        assert.equal(viaTrpc.headers['retry-after'], '1');

        const execute = await post('/api/workflows/OrderFulfilment/execute', order(uniqueName('refused-execute')));
        assert.equal(execute.status, 429);
        const signalWithStart = await post('/api/workflows/OrderFulfilment/signal-with-start/approve', {
          ...order(uniqueName('refused-sws')),
          signal: { approvedBy: key.entry.name },
        });
        assert.equal(signalWithStart.status, 429);
        const updateWithStart = await post('/api/workflows/OrderFulfilment/update-with-start/waitForPayment', {
          ...order(uniqueName('refused-uws')),
          update: {},
        });
        assert.equal(updateWithStart.status, 429);

        // Nothing was started: no run under the refused IDs, and the tenant still has two.
        assert.equal(await workflowExists(client, `${key.tenant}~${refusedId}`), false);
        assert.equal(await openRuns(client, key.tenant), 2);

        // Signal-with-start to a run that is open starts nothing, so the cap lets it through.
        const signalled = await post('/api/workflows/OrderFulfilment/signal-with-start/approve', {
          ...order(open[0] ?? ''),
          signal: { approvedBy: key.entry.name },
        });
        assert.equal(signalled.status, 200, signalled.text);

        // Other types and other tenants are not counted against this cap.
        await post('/api/workflows/YourWorkflow', { input: 'not an order' }).expect(200);
        await post('/api/workflows/OrderFulfilment', order(uniqueName('other')), other.key).expect(200);

        // Once a run closes, the next reading lets a start through again.
        await client.workflow.getHandle(`${key.tenant}~${open[1]}`).terminate('making room');
        const admitted = await eventually('a start is admitted once a run closed', async () => {
          const response = await post('/api/workflows/OrderFulfilment', order(uniqueName('admitted')));
          return response.status === 200 ? response : undefined;
        });
        assert.match(admitted.body.runId, /\S/);
      },
      createOrderFakes(),
      apiKeysEnv(key, other),
    );
  });

  it('lets exactly maxRunning of a burst through on one replica, within one cached reading', async () => {
    const key = cappedKey(2);
    await withApi(
      server,
      async ({ app, client }) => {
        const responses = await Promise.all(
          Array.from({ length: 6 }, () =>
            request(app)
              .post('/api/workflows/OrderFulfilment')
              .set('x-api-key', key.key)
              .send(order(uniqueName('burst'))),
          ),
        );
        const statuses = responses.map((response) => response.status).sort();
        assert.deepEqual(statuses, [200, 200, 429, 429, 429, 429]);
        await eventually('visibility counts the two admitted runs', async () =>
          (await openRuns(client, key.tenant)) === 2 ? true : undefined,
        );
      },
      createOrderFakes(),
      { ...apiKeysEnv(key), RUNNING_CAP_CACHE_MS: '60000' },
    );
  });

  it('an Idempotency-Key retry at the cap answers with its run instead of 429', async () => {
    const key = cappedKey(1);
    await withApi(
      server,
      async ({ app, client }) => {
        const body = order(uniqueName('idem'));
        const first = await request(app)
          .post('/api/workflows/OrderFulfilment')
          .set({ 'x-api-key': key.key, 'idempotency-key': 'k-1' })
          .send(body)
          .expect(200);
        await eventually('visibility counts the run', async () =>
          (await openRuns(client, key.tenant)) === 1 ? true : undefined,
        );
        const retry = await request(app)
          .post('/api/workflows/OrderFulfilment')
          .set({ 'x-api-key': key.key, 'idempotency-key': 'k-1' })
          .send(body);
        assert.equal(retry.status, 200, retry.text);
        assert.equal(retry.body.runId, first.body.runId);
      },
      createOrderFakes(),
      { ...apiKeysEnv(key), RUNNING_CAP_CACHE_MS: '0' },
    );
  });

  it('is refused in the configuration without a tenant to count, as are weights and priority keys out of range', () => {
    const entry = (extra: object) => JSON.stringify([{ ...testKey('k', ['workflows:read']).entry, ...extra }]);
    assert.throws(
      () => loadConfig({ AUTH_API_KEYS: entry({ maxRunning: 3 }) }),
      /maxRunning caps a tenant's open runs/,
    );
    assert.throws(() => loadConfig({ AUTH_API_KEYS: entry({ tenant: 'a', maxRunning: 0 }) }), /AUTH_API_KEYS/);
    assert.throws(() => loadConfig({ AUTH_API_KEYS: entry({ fairnessWeight: 0 }) }), /AUTH_API_KEYS/);
    assert.throws(() => loadConfig({ AUTH_API_KEYS: entry({ priorityKey: 6 }) }), /AUTH_API_KEYS/);
    assert.throws(
      () => loadConfig({ AUTH_JWT_TENANT_CAPACITY: '{"acme":{"fairnessWeight":3,"weight":1}}' }),
      /AUTH_JWT_TENANT_CAPACITY/,
    );
    const config = loadConfig({
      AUTH_JWT_TENANT_CAPACITY: '{"acme":{"fairnessWeight":3,"priorityKey":{"OrderFulfilment":1},"maxRunning":5}}',
    });
    assert.deepEqual(config.AUTH_JWT_TENANT_CAPACITY, {
      acme: { fairnessWeight: 3, priorityKey: { OrderFulfilment: 1 }, maxRunning: 5 },
    });
  });
});
