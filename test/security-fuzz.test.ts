import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
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

/** The workflow IDs a request named: the one in its path, and a `workflowId` in its body. */
function workflowIdsSent(target: Target, input: { id: string; body: string }): string[] {
  const ids = target.path.includes('{workflowId}') ? [input.id] : [];
  try {
    const body = JSON.parse(input.body) as { workflowId?: unknown } | null;
    if (typeof body?.workflowId === 'string') ids.push(body.workflowId);
  } catch {
    // not JSON: it named no ID in its body
  }
  return ids.filter((id) => id.length > 0);
}

/** Whether Temporal holds a run of this ID. Not found, or an ID Temporal refuses as invalid, means none. */
async function runExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    if (isGrpcServiceError(error) && error.code === GrpcStatus.INVALID_ARGUMENT) return false;
    if (
      error instanceof ServiceError &&
      isGrpcServiceError(error.cause) &&
      error.cause.code === GrpcStatus.INVALID_ARGUMENT
    )
      return false;
    throw error;
  }
}

describe('property: random and malformed requests to every route and procedure', () => {
  const server = useTestServer();

  it('never answer 5xx or an undocumented status, start nothing when refused, and leave the process healthy', () =>
    withApi(
      server,
      async ({ app, client, taskQueue }) => {
        const accepted = new Set<string>();
        // Every workflow ID a refused request named (in its path or its body): each is described afterwards.
        const refusedIds = new Set<string>();
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
              } else if (response.status >= 400) {
                for (const id of workflowIdsSent(target, input)) refusedIds.add(id);
              }
            },
          ),
          { numRuns: RUNS },
        );
        await request(app).get('/healthz').expect(200);
        await request(app).get('/api/me').set('x-api-key', key.key).expect(200);
        // Each ID a refused request named, asked of Temporal itself (describe is strongly consistent; a list read
        // right after the property could lag behind a start).
        const startedForRefused: string[] = [];
        for (const workflowId of refusedIds) {
          if (!accepted.has(workflowId) && (await runExists(client, workflowId))) startedForRefused.push(workflowId);
        }
        assert.ok(refusedIds.size > 0, 'the property sent refused requests naming workflow IDs');
        assert.deepEqual(startedForRefused, [], 'a refused request started nothing');
        // And whatever runs the queue lists were started by an accepted request.
        for await (const run of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` }))
          assert.ok(accepted.has(run.workflowId), `run ${run.workflowId} was started by a refused request`);
      },
      {},
      // The limits are raised so that every request reaches the routes (bad credentials included: the fuzz sends many).
      {
        ...apiKeysEnv(key),
        MAX_WAIT_MS: '1',
        RATE_LIMIT_PER_MINUTE: '100000',
        RATE_LIMIT_WAITS_PER_MINUTE: '100000',
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000',
      },
    ));
});
