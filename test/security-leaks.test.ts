import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { apiConnectionOptions } from '../api/temporal/temporal-client';
import { assertCleanErrorBody, createTestApp, useTestServer, withApi } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { eventually } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

const tenant = testKey('acme-reader', [...SCOPES], { tenant: 'acme' });
const operator = testKey('operator', [...SCOPES]);

describe('what callers are told: page tokens, catalog, task queues', () => {
  const server = useTestServer();

  it('a forged page token is a 400 naming pageToken, over REST and tRPC, within a round trip', async () => {
    // The API's own connection settings (its retry interceptor among them), not the test server's client; inside
    // them, a count of the list calls that reach the server (each retry is one more).
    let listAttempts = 0;
    const countLists: Interceptor = (options, nextCall) => {
      if (/\/(ListWorkflowExecutions|ListSchedules)$/.test(options.method_definition.path)) listAttempts += 1;
      return new InterceptingCall(nextCall(options));
    };
    const settings = apiConnectionOptions({ address: server.env.address });
    const connection = await Connection.connect({
      ...settings,
      interceptors: [...(settings.interceptors ?? []), countLists],
    });
    try {
      const app = createTestApp(new Client({ connection }), uniqueName('leaks-tq'), {
        env: apiKeysEnv(tenant, operator),
      });
      const forged = Buffer.from('not a token the server made').toString('base64url');
      for (const [path, procedure] of [
        ['/api/workflows', 'executions.list'],
        ['/api/schedules', 'schedules.list'],
      ] as const) {
        let started = Date.now();
        const rest = await request(app).get(path).query({ pageToken: forged }).set('x-api-key', operator.key);
        const restMs = Date.now() - started;
        assertCleanErrorBody(rest, 400);
        assert.match(rest.text, /pageToken/);
        started = Date.now();
        const trpc = await request(app)
          .get(`/trpc/${procedure}`)
          .query({ input: JSON.stringify({ pageToken: forged }) })
          .set('x-api-key', operator.key);
        const trpcMs = Date.now() - started;
        assert.equal(trpc.status, 400, trpc.text);
        assert.match(trpc.text, /pageToken/);
        // A bound, not a sleep: with the SDK's default retries an UNKNOWN answer took about 15 s.
        assert.ok(restMs < 2_000 && trpcMs < 2_000, `${path}: answered in ${restMs} ms (REST), ${trpcMs} ms (tRPC)`);
      }
      assert.equal(listAttempts, 4, 'one call each: an unreadable token is not retried');
    } finally {
      await connection.close();
    }
  });

  it("a tenant's caller hears neither the namespace, the Web UI, nor the workers' identities; an operator does", () =>
    withApi(
      server,
      async ({ app, taskQueue }) => {
        const get = (key: string, rest: string, procedure: string, input?: object) => ({
          rest: request(app).get(`/api${rest}`).set('x-api-key', key),
          trpc: request(app)
            .get(`/trpc/${procedure}`)
            .query(input ? { input: JSON.stringify(input) } : {})
            .set('x-api-key', key),
        });
        const read = async (pending: { rest: request.Test; trpc: request.Test }) => {
          const [rest, trpc] = await Promise.all([pending.rest, pending.trpc]);
          assert.equal(rest.status, 200, rest.text);
          assert.equal(trpc.status, 200, trpc.text);
          assert.deepEqual(trpc.body.result.data, rest.body, 'both transports answer the same');
          return rest.body;
        };

        const tenantCatalog = await read(get(tenant.key, '/catalog', 'catalog.workflowTypes'));
        assert.equal(tenantCatalog.namespace, '');
        assert.equal(tenantCatalog.temporalUiUrl, null);
        const operatorCatalog = await read(get(operator.key, '/catalog', 'catalog.workflowTypes'));
        assert.equal(operatorCatalog.namespace, 'default');
        assert.equal(operatorCatalog.temporalUiUrl, 'http://ui.test');

        const view = (key: string) =>
          read(get(key, `/task-queues/${taskQueue}`, 'executions.taskQueue', { taskQueue }));
        const operatorView = await eventually('the worker to poll', async () => {
          const body = await view(operator.key);
          return body.workflowPollers.length > 0 ? body : undefined;
        });
        assert.match(operatorView.workflowPollers[0].identity, /@/);
        const tenantView = await view(tenant.key);
        assert.ok(tenantView.workflowPollers.length > 0);
        for (const poller of [...tenantView.workflowPollers, ...tenantView.activityPollers])
          assert.match(poller.identity, /^worker-\d+$/);
      },
      {},
      { ...apiKeysEnv(tenant, operator), TEMPORAL_UI_URL: 'http://ui.test' },
    ));
});
