import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { TENANT_SEARCH_ATTRIBUTE } from '../common/search-attributes';
import { useTestServer, withApi } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { createOrderFakes, eventually, largeOrderInput, orderInput } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

// A tenant's key with a weight and a priority key for one workflow type only.
const acme = testKey('acme-key', [...SCOPES], { tenant: 'acme' });
Object.assign(acme.entry, { fairnessWeight: 2.5, priorityKey: { OrderFulfilment: 2 } });
const globex = testKey('globex-key', [...SCOPES], { tenant: 'globex' });
const admin = testKey('admin-key', [...SCOPES]);

async function priorityOfRun(client: Client, storedId: string): Promise<Priority | undefined> {
  return (await client.workflow.getHandle(storedId).describe()).priority;
}

describe('tenant fairness: every start carries the tenant as its fairness key, against a real dev server', () => {
  const server = useTestServer();
  const env = apiKeysEnv(acme, globex, admin);

  it('start, execute, idempotent start, signal-with-start, update-with-start (REST) and start (tRPC)', () =>
    withApi(
      server,
      async ({ app, client }) => {
        const as =
          (key: string) =>
          (path: string, body: object, headers: Record<string, string> = {}) =>
            request(app).post(path).set('x-api-key', key).set(headers).send(body);
        const acmePost = as(acme.key);
        const ids = {
          start: uniqueName('start'),
          execute: uniqueName('execute'),
          idempotent: uniqueName('idem'),
          signalWithStart: uniqueName('sws'),
          updateWithStart: uniqueName('uws'),
          trpc: uniqueName('trpc'),
        };
        await acmePost('/api/workflows/YourWorkflow', { workflowId: ids.start, input: 'a' }).expect(200);
        const executed = await acmePost('/api/workflows/YourWorkflow/execute', { workflowId: ids.execute, input: 'b' });
        assert.equal(executed.status, 200, executed.text);
        await acmePost(
          '/api/workflows/YourWorkflow',
          { workflowId: ids.idempotent, input: 'c' },
          { 'idempotency-key': uniqueName('key') },
        ).expect(200);
        const signalled = await acmePost('/api/workflows/OrderFulfilment/signal-with-start/approve', {
          workflowId: ids.signalWithStart,
          input: largeOrderInput(),
          signal: { approvedBy: acme.entry.name },
        });
        assert.equal(signalled.status, 200, signalled.text);
        const updated = await acmePost('/api/workflows/OrderFulfilment/update-with-start/waitForPayment', {
          workflowId: ids.updateWithStart,
          input: orderInput(),
          update: {},
        });
        assert.equal(updated.status, 200, updated.text);
        const trpc = await request(app)
          .post('/trpc/workflows.YourWorkflow.start')
          .set('x-api-key', acme.key)
          .send({ workflowId: ids.trpc, input: 'd' });
        assert.equal(trpc.status, 200, trpc.text);

        const your = { fairnessKey: 'acme', fairnessWeight: 2.5, priorityKey: 0 };
        const order = { fairnessKey: 'acme', fairnessWeight: 2.5, priorityKey: 2 };
        for (const [path, workflowId] of Object.entries(ids)) {
          const expected = path.endsWith('WithStart') ? order : your;
          assert.deepEqual(await priorityOfRun(client, `acme~${workflowId}`), expected, path);
        }

        // Another tenant gets its own key at the default weight; a caller with no tenant shares the default key.
        const other = uniqueName('globex');
        await as(globex.key)('/api/workflows/YourWorkflow', { workflowId: other, input: 'e' }).expect(200);
        assert.deepEqual(await priorityOfRun(client, `globex~${other}`), {
          fairnessKey: 'globex',
          fairnessWeight: 1,
          priorityKey: 0,
        });
        const untenanted = uniqueName('admin');
        await as(admin.key)('/api/workflows/YourWorkflow', { workflowId: untenanted, input: 'f' }).expect(200);
        assert.equal((await priorityOfRun(client, untenanted))?.fairnessKey || undefined, undefined);
      },
      createOrderFakes(),
      env,
    ));

  it("an activity dispatched through the task queue runs under its workflow's fairness key (inherited on the server)", async () => {
    const seen: (Priority | undefined)[] = [];
    const activities = {
      ...createOrderFakes().activities,
      async your_activity(input: { greeting: string; name: string }): Promise<string> {
        const { attempt, priority } = Context.current().info;
        seen.push(priority);
        // The first attempt may be handed back eagerly with the workflow task; the retry goes through the queue.
        if (attempt === 1) throw new Error('first attempt fails on purpose');
        return `${input.greeting}, ${input.name}!`;
      },
    };
    await withApi(
      server,
      async ({ app }) => {
        const response = await request(app)
          .post('/api/workflows/YourWorkflow/execute')
          .set('x-api-key', acme.key)
          .send({ input: 'activity' });
        assert.equal(response.status, 200, response.text);
        assert.equal(response.body.result, 'Hello, activity!');
      },
      { activities },
      env,
    );
    assert.equal(seen.length, 2);
    assert.equal(seen[1]?.fairnessKey, 'acme');
    assert.equal(seen[1]?.fairnessWeight, 2.5);
  });

  it("a token's tenant gets the capacity AUTH_JWT_TENANT_CAPACITY gives it: weight, priority key and maxRunning", async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = createServer((_req, res) =>
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const tenant = uniqueName('initech');
    const token = await new SignJWT({ scope: 'workflows:start workflows:read', tenant })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('user-1')
      .setIssuer('https://issuer.test')
      .setAudience('temporal-http')
      .setExpirationTime('5m')
      .sign(privateKey);
    try {
      await withApi(
        server,
        async ({ app, client }) => {
          const start = (path: string, body: object) =>
            request(app).post(path).set('authorization', `Bearer ${token}`).send(body);
          const first = uniqueName('jwt');
          await start('/api/workflows/OrderFulfilment', { workflowId: first, input: largeOrderInput() }).expect(200);
          assert.deepEqual(await priorityOfRun(client, `${tenant}~${first}`), {
            fairnessKey: tenant,
            fairnessWeight: 4,
            priorityKey: 1,
          });
          await eventually('visibility counts the open run', async () => {
            const query = `${TENANT_SEARCH_ATTRIBUTE} = '${tenant}' AND ExecutionStatus = 'Running'`;
            return (await client.workflow.count(query)).count === 1 ? true : undefined;
          });
          const second = await start('/api/workflows/OrderFulfilment', {
            workflowId: uniqueName('jwt'),
            input: largeOrderInput(),
          });
          assert.equal(second.status, 429, second.text);
        },
        createOrderFakes(),
        {
          AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
          AUTH_JWT_ISSUER: 'https://issuer.test',
          AUTH_JWT_AUDIENCE: 'temporal-http',
          AUTH_JWT_TENANT_CAPACITY: JSON.stringify({ [tenant]: { fairnessWeight: 4, priorityKey: 1, maxRunning: 1 } }),
          RUNNING_CAP_CACHE_MS: '0',
        },
      );
    } finally {
      jwks.close();
    }
  });
});
