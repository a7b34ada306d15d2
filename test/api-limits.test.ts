import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { assertCleanErrorBody, createTestApp, listen, useTestServer, withApi } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { eventually, largeOrderInput } from './helpers/orders';
import { withOrderEvents } from './helpers/order-events';
import { openSse } from './helpers/sse';
import { uniqueName } from './helpers/temporal';

/** A GET sent from a given loopback address (127.0.0.x), as a caller on another machine would be seen. */
function getFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('limits and keys as the README promises them (in-process API, real dev server)', () => {
  const server = useTestServer();

  it('limits anonymous callers per IP: one address at its limit leaves another its own', async () => {
    const app = createTestApp(server.env.client, uniqueName('no-worker-tq'), { env: { RATE_LIMIT_PER_MINUTE: '3' } });
    const api = await listen(app);
    try {
      const url = `${api.baseUrl}/api/workflows/${uniqueName('nothing')}`;
      const first = [];
      for (let i = 0; i < 3; i++) first.push(await getFrom('127.0.0.1', url));
      assert.deepEqual(first, [404, 404, 404]);
      const limited = await request(api.baseUrl).get(`/api/workflows/${uniqueName('nothing')}`);
      assertCleanErrorBody(limited, 429);
      assert.ok(Number(limited.headers['retry-after']) >= 1, 'a 429 says when to come back');
      assert.equal(await getFrom('127.0.0.2', url), 404, 'another address has its own budget');
    } finally {
      await api.close();
    }
  });

  it('counts waits against their own lower limit: a second wait is 429, a call that does not wait is not', async () => {
    const app = createTestApp(server.env.client, uniqueName('no-worker-tq'), {
      env: { RATE_LIMIT_WAITS_PER_MINUTE: '1' },
    });
    const workflowId = uniqueName('waited');
    await request(app).post('/api/workflows/YourWorkflow').send({ input: 'x', workflowId }).expect(200);
    try {
      await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 100 }).expect(200);
      const limited = await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 100 });
      assertCleanErrorBody(limited, 429);
      assert.match(limited.body.message, /wait/i);
      await request(app).get(`/api/workflows/${workflowId}/result`).query({ waitMs: 0 }).expect(200);
    } finally {
      await server.env.client.workflow.getHandle(workflowId).terminate('test done');
    }
  });

  it('caps open progress streams per caller over HTTP: the next is 429 until one closes', () =>
    withApi(
      server,
      async ({ app, client }) => {
        await withOrderEvents(app, async (url, workflowId) => {
          try {
            const open = await openSse(url);
            assert.equal(open.response.status, 200);
            const refused = await openSse(url);
            assert.equal(refused.response.status, 429);
            assert.ok(refused.response.headers.get('retry-after'));
            open.drop();
            const again = await eventually('a stream slot to be free again', async () => {
              const next = await openSse(url);
              if (next.response.status === 200) return next;
              next.drop();
              return undefined;
            });
            again.drop();
          } finally {
            await client.workflow.getHandle(workflowId).terminate('test done');
          }
        });
      },
      {},
      { RATE_LIMIT_STREAMS_PER_CALLER: '1' },
    ));

  it('checks the subscriptions’ scope at run time: a key without workflows:read gets no stream', () => {
    const starter = testKey('starter', ['workflows:start']);
    const app = createTestApp(server.env.client, uniqueName('no-worker-tq'), { env: apiKeysEnv(starter) });
    return (async () => {
      const api = await listen(app);
      try {
        const input = encodeURIComponent(JSON.stringify({ workflowId: uniqueName('any') }));
        for (const path of ['executions.events', 'workflows.YourWorkflow.events']) {
          const stream = await openSse(`${api.baseUrl}/trpc/${path}?input=${input}`, { 'x-api-key': starter.key });
          // tRPC's SSE protocol: the refusal is a serialized-error event (the client link throws it as FORBIDDEN).
          const events = [];
          for await (const event of stream.events) events.push(event);
          const refusal = events.find((event) => event.event === 'serialized-error');
          assert.ok(refusal, `${path}: ${JSON.stringify(events)}`);
          const error = JSON.parse(refusal.data) as { data: { code: string; details: { requiredScope: string } } };
          assert.equal(error.data.code, 'FORBIDDEN');
          assert.equal(error.data.details.requiredScope, 'workflows:read');
          assert.deepEqual(
            events.filter((event) => !['connected', 'serialized-error'].includes(event.event)),
            [],
            `${path}: no progress event for a caller without the scope`,
          );
        }
        const rest = await openSse(`${api.baseUrl}/api/workflows/${uniqueName('any')}/events`, {
          'x-api-key': starter.key,
        });
        assert.equal(rest.response.status, 403);
        assert.match(await rest.response.text(), /workflows:read/);
      } finally {
        await api.close();
      }
    })();
  });

  it('answers 404 to a key limited by workflowTypes for every by-ID operation on another type’s run, and lists only its types', () => {
    const yourOnly = testKey('your-only', [...SCOPES], { workflowTypes: ['YourWorkflow'] });
    const everything = testKey('everything', [...SCOPES]);
    return withApi(
      server,
      async ({ app, client }) => {
        const auth = (key: string) => ({ 'x-api-key': key });
        const order = await request(app)
          .post('/api/workflows/OrderFulfilment')
          .set(auth(everything.key))
          .send({ input: largeOrderInput() });
        assert.equal(order.status, 200, order.text);
        const orderId = order.body.workflowId as string;
        const greeting = await request(app)
          .post('/api/workflows/YourWorkflow/execute')
          .set(auth(yourOnly.key))
          .send({ input: 'x' })
          .expect(200);
        const byId: Record<string, () => request.Test> = {
          describe: () => request(app).get(`/api/workflows/${orderId}`),
          result: () => request(app).get(`/api/workflows/${orderId}/result`),
          cancel: () => request(app).post(`/api/workflows/${orderId}/cancel`).send({}),
          terminate: () => request(app).post(`/api/workflows/${orderId}/terminate`).send({}),
          signal: () => request(app).post(`/api/workflows/${orderId}/signals/approve`).send({ approvedBy: 'x' }),
          query: () => request(app).get(`/api/workflows/${orderId}/queries/status`),
          events: () => request(app).get(`/api/workflows/${orderId}/events`),
        };
        for (const [name, call] of Object.entries(byId)) {
          const response = await call().set(auth(yourOnly.key));
          assertCleanErrorBody(response, 404);
          assert.equal(response.body.code, 'NOT_FOUND', `${name}: ${response.text}`);
        }
        assert.equal(
          (await client.workflow.getHandle(orderId).describe()).status.name,
          'RUNNING',
          'nothing done to it',
        );
        const listed = await eventually('the greeting to be listed', async () => {
          const body = (await request(app).get('/api/workflows').set(auth(yourOnly.key)).expect(200)).body as {
            workflows: { workflowId: string; type: string }[];
          };
          return body.workflows.some((run) => run.workflowId === greeting.body.workflowId) ? body : undefined;
        });
        assert.deepEqual([...new Set(listed.workflows.map((run) => run.type))], ['YourWorkflow']);
        await client.workflow.getHandle(orderId).terminate('test done');
      },
      {},
      apiKeysEnv(yourOnly, everything),
    );
  });
});
