import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../api/app';
import { createApiMetrics } from '../api/metrics';
import { TRPC_BATCH_ROUTE, TRPC_MAX_BATCH_SIZE } from '../api/http/route-label';
import { apiConnectionOptions } from '../api/temporal/temporal-client';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { allProcedures, apiKeysEnv, testKey } from './helpers/auth';
import { useUnreachableAddress } from './helpers/unreachable-temporal';

// Unauthenticated callers answer 401 before anything reaches Temporal: an unreachable server is enough here.
describe('/metrics under a flood of unauthenticated tRPC batches', () => {
  const unreachable = useUnreachableAddress();
  let connection: Connection;
  let app: Express;
  before(() => {
    connection = Connection.lazy(apiConnectionOptions({ address: unreachable.address() }));
    const config = loadConfig({
      ...apiKeysEnv(testKey('someone', ['workflows:read'])),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000',
    });
    app = createApp({
      client: new Client({ connection }),
      config,
      logger: createLogger('api-test', 'silent'),
      metrics: createApiMetrics(),
      draining: new AbortController().signal,
    });
  });
  after(async () => {
    await connection?.close();
  });

  // Every query that needs credentials (an action link's describe needs only its token, and answers 400 without it).
  const queries = allProcedures()
    .filter((procedure) => procedure.type === 'query' && !procedure.meta?.linkToken)
    .map((procedure) => procedure.path);

  function routeLabels(text: string): Set<string> {
    const labels = new Set<string>();
    for (const match of text.matchAll(/^http_server_request_duration_seconds_count\{[^}]*route="([^"]*)"/gm))
      labels.add(match[1] ?? '');
    return labels;
  }

  it('labels every batch as one route, refuses batches over the limit, and stays small', async () => {
    assert.ok(queries.length >= 4, 'enough procedures to combine');
    // 300 distinct batches (each a different combination and order of procedure names), none authenticated.
    for (let i = 0; i < 300; i++) {
      const size = 2 + (i % (TRPC_MAX_BATCH_SIZE - 1));
      const paths = Array.from({ length: size }, (_, k) => queries[(i * 7 + k * (i + 3)) % queries.length]);
      const input = JSON.stringify(Object.fromEntries(paths.map((_, index) => [index, {}])));
      const response = await request(app)
        .get(`/trpc/${paths.join(',')}`)
        .query({ batch: '1', input });
      assert.equal(response.status, 401, response.text);
    }
    const tooBig = Array.from({ length: TRPC_MAX_BATCH_SIZE + 1 }, () => 'auth.me').join(',');
    const refused = await request(app).get(`/trpc/${tooBig}`).query({ batch: '1', input: '{}' });
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.text, /Batch call exceeds maximum size/);

    const scrape = await request(app).get('/metrics').expect(200);
    const labels = [...routeLabels(scrape.text)];
    const trpcLabels = labels.filter((label) => label.startsWith('/trpc'));
    assert.deepEqual(trpcLabels, [TRPC_BATCH_ROUTE], `one label for every batch: ${labels.join(' ')}`);
    assert.ok(scrape.text.length < 64 * 1024, `/metrics is ${scrape.text.length} bytes`);
  });

  it('a single call keeps its procedure as its label', async () => {
    await request(app).get('/trpc/executions.describe').query({ input: '{}' }).expect(401);
    const scrape = await request(app).get('/metrics').expect(200);
    assert.ok(routeLabels(scrape.text).has('/trpc/executions.describe'));
  });
});
