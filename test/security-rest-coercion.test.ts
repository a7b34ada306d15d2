import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createTestApp } from './helpers/api';
import { uniqueName } from './helpers/temporal';
import { useUnreachableTemporal } from './helpers/unreachable-temporal';

// Every request here is refused before it reaches Temporal, so an unreachable server is enough (a request that got
// through would answer 503, not 400).
describe('strict input on both transports, before and after REST calls', () => {
  const temporal = useUnreachableTemporal();
  let app: Express;
  before(async () => {
    app = createTestApp(temporal.client(), uniqueName('coercion'));
  });

  const startBody = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    input: { name: 'x', ...input },
    ...extra,
  });
  const rest = (body: object) => request(app).post('/api/workflows/StartActivityWorkflow/execute').send(body);
  const trpc = (body: object) =>
    request(app)
      .post('/trpc/workflows.StartActivityWorkflow.execute')
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));

  it('"false" for a boolean, null or [7] for a number: 400 over REST and tRPC, after REST calls too', async () => {
    // REST calls, a body and a query string, each of which used to switch coercion on for the schemas they touch.
    await rest(startBody({}, { notAField: 1 })).expect(400);
    await request(app).get('/api/workflows').query({ pageSize: 'x' }).expect(400);

    const wrong: [string, object][] = [
      ['"false" for a boolean', startBody({ cancelStartedActivity: 'false' })],
      ['null for a number', startBody({ startedActivityDelayMs: null })],
      ['[7] for a number', startBody({ startedActivityDelayMs: [7] })],
      ['"7" for waitMs', startBody({}, { waitMs: '7' })],
    ];
    for (const [what, body] of wrong) {
      for (const [transport, call] of [
        ['rest', rest],
        ['trpc', trpc],
      ] as const) {
        const response = await call(body);
        assert.equal(response.status, 400, `${transport}, ${what}: ${response.text}`);
      }
    }
  });

  it('a REST query string is still read as numbers where the schema says so', async () => {
    const response = await request(app).get('/api/workflows').query({ pageSize: '0' });
    assert.equal(response.status, 400, response.text);
    assert.match(response.text, /pageSize/);
    assert.doesNotMatch(response.text, /expected number, received string/);
  });
});
