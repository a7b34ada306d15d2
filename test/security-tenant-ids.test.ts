import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { listen, useTestServer, withApi } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { eventually, largeOrderInput } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

// A tenant's caller knows its workflow IDs as it named them; Temporal stores them as `acme~<id>`. No answer (error
// messages and details, SSE events, tRPC or REST) may show the stored form.
const tenant = testKey('tenant-ids', [...SCOPES], { tenant: 'acme' });
const STORED_PREFIX = 'acme~';

describe("a tenant's answers name its own workflow IDs, against a real dev server", () => {
  const server = useTestServer();
  const env = apiKeysEnv(tenant);

  it('errors, message answers and the SSE closed event never show the tenant prefix, on both transports', () =>
    withApi(
      server,
      async ({ app }) => {
        const J = { 'x-api-key': tenant.key, 'content-type': 'application/json' };
        const rest = (method: 'get' | 'post', path: string, body?: object) => {
          const call = request(app)[method](path).set(J);
          return body === undefined ? call : call.send(body);
        };
        const trpcQuery = (procedure: string, input: object) =>
          request(app)
            .get(`/trpc/${procedure}`)
            .query({ input: JSON.stringify(input) })
            .set(J);
        const trpcMutation = (procedure: string, input: object) =>
          request(app).post(`/trpc/${procedure}`).set(J).send(input);

        const open = uniqueName('order');
        await rest('post', '/api/workflows/OrderFulfilment', { workflowId: open, input: largeOrderInput() }).expect(
          200,
        );
        await eventually('the order awaits approval', async () => {
          const status = await rest('get', `/api/workflows/${open}/queries/status`);
          return status.body?.step === 'awaiting_approval' ? true : undefined;
        });
        const closed = uniqueName('order');
        await rest('post', '/api/workflows/OrderFulfilment', { workflowId: closed, input: largeOrderInput() }).expect(
          200,
        );
        await rest('post', `/api/workflows/${closed}/terminate`, {}).expect(200);
        const missing = uniqueName('missing');
        const address = { shippingAddress: largeOrderInput().shippingAddress };

        const answers: [string, number, request.Test][] = [
          [
            'start onto a running ID',
            409,
            rest('post', '/api/workflows/OrderFulfilment', { workflowId: open, input: largeOrderInput() }),
          ],
          ['describe a missing ID', 404, rest('get', `/api/workflows/${missing}`)],
          ['result of a missing ID', 404, rest('get', `/api/workflows/${missing}/result`)],
          ['query a missing ID', 404, rest('get', `/api/workflows/${missing}/queries/status`)],
          ['signal a missing ID', 404, rest('post', `/api/workflows/${missing}/signals/approve`, { approvedBy: 'a' })],
          [
            'update a missing ID',
            404,
            rest('post', `/api/workflows/${missing}/updates/changeShippingAddress`, address),
          ],
          ['cancel a missing ID', 404, rest('post', `/api/workflows/${missing}/cancel`, {})],
          ['terminate a missing ID', 404, rest('post', `/api/workflows/${missing}/terminate`, {})],
          ['stream a missing ID', 404, rest('get', `/api/workflows/${missing}/events`)],
          ['signal a closed run', 409, rest('post', `/api/workflows/${closed}/signals/approve`, { approvedBy: 'a' })],
          ['update a closed run', 409, rest('post', `/api/workflows/${closed}/updates/changeShippingAddress`, address)],
          ['cancel a closed run', 409, rest('post', `/api/workflows/${closed}/cancel`, {})],
          [
            'tRPC start onto a running ID',
            409,
            trpcMutation('workflows.OrderFulfilment.start', { workflowId: open, input: largeOrderInput() }),
          ],
          ['tRPC describe a missing ID', 404, trpcQuery('executions.describe', { workflowId: missing })],
          ['tRPC result of a missing ID', 404, trpcQuery('executions.result', { workflowId: missing })],
          [
            'tRPC signal a missing ID',
            404,
            trpcMutation('workflows.OrderFulfilment.signals.approve', { workflowId: missing, approvedBy: 'a' }),
          ],
          [
            'tRPC update a closed run',
            409,
            trpcMutation('workflows.OrderFulfilment.updates.changeShippingAddress', { workflowId: closed, ...address }),
          ],
        ];
        for (const [what, status, answer] of answers) {
          const response = await answer;
          assert.ok(response.status >= 400, `${what}: answered ${response.status}`);
          assert.equal(response.status, status, `${what}: ${response.text}`);
          assert.doesNotMatch(response.text, new RegExp(STORED_PREFIX), `${what}: ${response.text}`);
        }

        // The closed run's progress stream ends with its `closed` event, naming the caller's ID.
        const events = await rest('get', `/api/workflows/${closed}/events`)
          .buffer(true)
          .parse((res, done) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => done(null, text));
          });
        assert.equal(events.status, 200);
        const body = String(events.body);
        assert.match(body, /event: closed/);
        assert.match(body, new RegExp(`"workflowId":"${closed}"`));
        assert.doesNotMatch(body, new RegExp(STORED_PREFIX), body);

        // The same stream over tRPC (httpSubscriptionLink's GET): read until the closed run's event has come.
        const api = await listen(app);
        const reading = new AbortController();
        try {
          const input = encodeURIComponent(JSON.stringify({ workflowId: closed }));
          const response = await fetch(`${api.baseUrl}/trpc/executions.events?input=${input}`, {
            headers: { 'x-api-key': tenant.key },
            signal: reading.signal,
          });
          assert.equal(response.status, 200);
          const reader = response.body!.getReader();
          let text = '';
          while (!text.includes('TERMINATED')) {
            const chunk = await reader.read();
            if (chunk.done) break;
            text += Buffer.from(chunk.value).toString();
          }
          assert.match(text, /TERMINATED/);
          assert.match(text, new RegExp(`"workflowId":"${closed}"`));
          assert.doesNotMatch(text, new RegExp(STORED_PREFIX), text);
        } finally {
          reading.abort();
          await api.close();
        }

        await rest('post', `/api/workflows/${open}/terminate`, {}).expect(200);
      },
      {},
      env,
    ));
});
