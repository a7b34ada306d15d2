import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { assertCleanErrorBody, useTestServer, withApi } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { eventually } from './helpers/orders';

const tenant = testKey('acme-reader', [...SCOPES], { tenant: 'acme' });
const operator = testKey('operator', [...SCOPES]);

describe('what callers are told: page tokens, catalog, task queues', () => {
  const server = useTestServer();

  it('a forged page token is a 400 naming pageToken, over REST and tRPC', () =>
    withApi(
      server,
      async ({ app }) => {
        const forged = Buffer.from('not a token the server made').toString('base64url');
        const rest = await request(app)
          .get('/api/workflows')
          .query({ pageToken: forged })
          .set('x-api-key', operator.key);
        assertCleanErrorBody(rest, 400);
        assert.match(rest.text, /pageToken/);
        const trpc = await request(app)
          .get('/trpc/executions.list')
          .query({ input: JSON.stringify({ pageToken: forged }) })
          .set('x-api-key', operator.key);
        assert.equal(trpc.status, 400, trpc.text);
      },
      {},
      apiKeysEnv(tenant, operator),
    ));

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
