import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Express } from 'express';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { useTestServer, withApi } from './helpers/api';
import { allProcedures, apiKeysEnv, testKey } from './helpers/auth';

// Every status the API documents; anything else (a 500 above all) fails the property.
const DOCUMENTED = new Set([200, 202, 204, 400, 401, 403, 404, 409, 413, 415, 422, 429]);
const key = testKey('fuzzer', [...SCOPES]);
// Bounded so that the whole property stays well under a minute on a busy machine.
const RUNS = 150;

interface Target {
  transport: 'rest' | 'trpc';
  name: string;
  method: 'GET' | 'POST';
  path: string;
}

// Progress streams are left out: an accepted stream on a running workflow stays open by design.
const targets: Target[] = allProcedures()
  .filter((procedure) => procedure.type !== 'subscription')
  .flatMap((procedure): Target[] => {
    const openapi = procedure.meta?.openapi;
    const trpc: Target = {
      transport: 'trpc',
      name: procedure.path,
      method: procedure.type === 'mutation' ? 'POST' : 'GET',
      path: `/trpc/${procedure.path}`,
    };
    return openapi
      ? [
          trpc,
          {
            transport: 'rest',
            name: procedure.path,
            method: openapi.method as 'GET' | 'POST',
            path: `/api${openapi.path}`,
          },
        ]
      : [trpc];
  });

const idArb = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('wf-1', '', '..', '%00', 'a/b', 'a~b', 'x'.repeat(300), 'acme~wf'),
);
const bodyArb = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.record({ input: fc.jsonValue({ maxDepth: 3 }), workflowId: idArb }).map((value) => JSON.stringify(value)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('{"input":"x","workflowID":"y"}', '{"input":', '[[[[[[', `{"a":${'['.repeat(100)}`, 'null', ''),
);
const authArb = fc.constantFrom<string | undefined>(
  undefined,
  `Bearer ${key.key}`,
  'Bearer junk',
  'Basic abc',
  'Bearer',
);
const contentTypeArb = fc.constantFrom<string | undefined>(
  'application/json',
  'text/plain',
  'application/json; charset=latin1',
  undefined,
);
const queryArb = fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 3 });

function send(
  app: Express,
  target: Target,
  input: {
    id: string;
    body: string;
    auth?: string;
    contentType?: string;
    query: Record<string, string>;
    apiKey: boolean;
  },
): request.Test {
  let path = target.path.replace(/\{(\w+)\}/g, () => encodeURIComponent(input.id));
  let pending: request.Test;
  if (target.method === 'GET') {
    if (target.transport === 'trpc') path += `?input=${encodeURIComponent(input.body)}`;
    pending = request(app)
      .get(path)
      .query(target.transport === 'rest' ? input.query : {});
  } else {
    pending = request(app).post(path);
    if (input.contentType) pending.set('content-type', input.contentType);
    pending.send(input.body);
  }
  if (input.auth) pending.set('authorization', input.auth);
  if (input.apiKey) pending.set('x-api-key', key.key);
  return pending;
}

describe('property: random and malformed requests to every route and procedure', () => {
  const server = useTestServer();

  it('never answer 5xx or an undocumented status, start nothing when refused, and leave the process healthy', () =>
    withApi(
      server,
      async ({ app, client, taskQueue }) => {
        const accepted = new Set<string>();
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...targets),
            fc.record({
              id: idArb,
              body: bodyArb,
              auth: authArb,
              contentType: contentTypeArb,
              query: queryArb,
              apiKey: fc.boolean(),
            }),
            async (target, input) => {
              const response = await send(app, target, input);
              assert.ok(
                DOCUMENTED.has(response.status),
                `${target.transport} ${target.method} ${target.path} → ${response.status}: ${response.text.slice(0, 300)}`,
              );
              assert.ok(response.headers['x-request-id'], 'every answer has a request id');
              if (response.status < 300) {
                const body = (target.transport === 'trpc' ? response.body?.result?.data : response.body) as {
                  workflowId?: string;
                };
                if (typeof body?.workflowId === 'string') accepted.add(body.workflowId);
              }
            },
          ),
          { numRuns: RUNS },
        );
        await request(app).get('/healthz').expect(200);
        await request(app).get('/api/me').set('x-api-key', key.key).expect(200);
        // Whatever runs exist on the queue were started by an accepted request.
        for await (const run of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` }))
          assert.ok(accepted.has(run.workflowId), `run ${run.workflowId} was started by a refused request`);
      },
      {},
      { ...apiKeysEnv(key), MAX_WAIT_MS: '1', RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_WAITS_PER_MINUTE: '100000' },
    ));
});
