import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { SCOPES } from '../api/auth/scopes';
import type { Caller } from '../api/auth/caller';
import { createSecurityServices } from '../api/auth/security-services';
import type { Context } from '../api/context';
import { createApiMetrics } from '../api/metrics';
import { WaitEnded } from '../api/temporal/bounded-wait';
import { QUICK_CALL_MS, temporalGateway } from '../api/temporal/gateway';
import { apiConnectionOptions } from '../api/temporal/temporal-client';
import { createCallerFactory, protectedProcedure, router } from '../api/trpc';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { TENANT_SEARCH_ATTRIBUTE } from '../common/search-attributes';
import { useTestServer } from './helpers/api';
import { startBlackHole } from './helpers/tcp-proxy';
import { uniqueName } from './helpers/temporal';

// Operations written here, in the test, as a newcomer would add one: they know nothing of tenants or deadlines and
// reach Temporal only through the gateway. The tenant rules and the start stamp must hold for them by construction.
const newcomerRouter = router({
  start: protectedProcedure
    .meta({ scope: 'workflows:start' })
    .input(z.object({ workflowId: z.string() }))
    .mutation(({ ctx, input }) =>
      temporalGateway(ctx).start('YourWorkflow', { workflowId: input.workflowId, input: 'gateway' }),
    ),
  peek: protectedProcedure
    .meta({ scope: 'workflows:read' })
    .input(z.object({ workflowId: z.string() }))
    .query(async ({ ctx, input }) => (await temporalGateway(ctx).run(input.workflowId).describe()).status.name),
  stop: protectedProcedure
    .meta({ scope: 'workflows:terminate' })
    .input(z.object({ workflowId: z.string() }))
    .mutation(({ ctx, input }) => temporalGateway(ctx).run(input.workflowId).terminate('newcomer')),
});

function tenantCaller(tenant: string): Caller {
  return { kind: 'api-key', name: `${tenant}-key`, scopes: SCOPES, tenant };
}

function contextFor(client: Client, caller: Caller, requestId: string): Context {
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: uniqueName('gateway-tq'), LOG_LEVEL: 'silent' });
  const security = createSecurityServices(client, config);
  return {
    client,
    config,
    logger: createLogger('test', 'silent'),
    draining: new AbortController().signal,
    requestId,
    idempotencyKey: undefined,
    signal: new AbortController().signal,
    response: {},
    security,
    authenticate: () => Promise.resolve(caller),
    clientIp: '127.0.0.1',
    responseHeaders: {},
    metrics: createApiMetrics(),
    route: { procedures: [] },
  };
}

describe('the gateway to Temporal', () => {
  const server = useTestServer();
  const call = createCallerFactory(newcomerRouter);

  it("gives a new operation the tenant rules: another tenant's call answers 404, the start is stamped", async () => {
    const client = server.env.client;
    const globex = call(contextFor(client, tenantCaller('globex'), 'req-globex'));
    const acme = call(contextFor(client, tenantCaller('acme'), 'req-acme'));
    const workflowId = uniqueName('newcomer');

    await globex.start({ workflowId });
    assert.equal(await globex.peek({ workflowId }), 'RUNNING');
    await assert.rejects(acme.peek({ workflowId }), { code: 'NOT_FOUND' });
    await assert.rejects(acme.stop({ workflowId }), { code: 'NOT_FOUND' });

    // Stored under the tenant's namespaced ID, stamped with its tenant, request id and caller.
    const stored = await client.workflow.getHandle(`globex~${workflowId}`).describe();
    assert.equal(stored.status.name, 'RUNNING');
    assert.equal(stored.memo?.tenant, 'globex');
    assert.equal(stored.memo?.requestId, 'req-globex');
    assert.equal(stored.memo?.caller, 'globex-key');
    assert.deepEqual(stored.searchAttributes[TENANT_SEARCH_ATTRIBUTE], ['globex']);
    await globex.stop({ workflowId });
  });

  it('bounds every call with a deadline: a server that never answers is a prompt WaitEnded', async () => {
    const hole = await startBlackHole();
    const connection = Connection.lazy(apiConnectionOptions({ address: hole.address }));
    try {
      const client = new Client({ connection });
      const gateway = temporalGateway({ client, caller: tenantCaller('acme') });
      const started = Date.now();
      await assert.rejects(gateway.run(uniqueName('hole')).describe(), WaitEnded);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < QUICK_CALL_MS + 2_000, `the call ended after ${elapsed} ms`);
    } finally {
      await connection.close().catch(() => undefined);
      await hole.close();
    }
  });
});
