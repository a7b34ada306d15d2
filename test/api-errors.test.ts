import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import {
  assertCleanErrorBody,
  assertErrorAnswer,
  assertRequestIdEchoed,
  countWorkflowsOn,
  withApi,
  workflowExists,
  useTestServer,
} from './helpers/api';
import { uniqueName } from './helpers/temporal';

interface ErrorBody {
  code: string;
  message: string;
  issues?: { path: (string | number)[]; message: string }[];
  data?: { code: string; httpStatus: number; fieldErrors?: { path: string }[]; details?: Record<string, unknown> };
}

/** A 400 that names `field` in its message and in the API's `data.fieldErrors` (the same as over tRPC). */
function assertNamesField(body: ErrorBody, field: string): void {
  assert.equal(body.code, 'BAD_REQUEST', JSON.stringify(body));
  assert.match(body.message, new RegExp(`^Invalid request: .*\\b${field.replace('.', '\\.')}: `), body.message);
  assert.ok(
    body.data?.fieldErrors?.some((fieldError) => fieldError.path === field),
    `fieldErrors do not name ${field}: ${JSON.stringify(body.data)}`,
  );
}

describe('REST: errors', () => {
  const server = useTestServer();

  it('answers 400 naming the field for invalid input, and starts nothing', () =>
    withApi(server, async ({ app, client, taskQueue }) => {
      const cases: { path: string; body: Record<string, unknown>; field: string }[] = [
        { path: '/api/workflows/YourWorkflow', body: { input: 42 }, field: 'input' },
        { path: '/api/workflows/YourWorkflow', body: {}, field: 'input' },
        { path: '/api/workflows/YourWorkflow', body: { input: '' }, field: 'input' },
        { path: '/api/workflows/YourWorkflow/execute', body: { input: 'World', waitMs: -1 }, field: 'waitMs' },
        { path: '/api/workflows/StartActivityWorkflow', body: { input: { name: 7 } }, field: 'input.name' },
      ];
      for (const { path, body, field } of cases) {
        const workflowId = uniqueName('invalid');
        const response = await request(app)
          .post(path)
          .send({ ...body, workflowId });
        assertCleanErrorBody(response, 400);
        assertNamesField(response.body, field);
        assert.equal(await workflowExists(client, workflowId), false, `${path} ${JSON.stringify(body)} started it`);
      }

      const badId = await request(app)
        .post('/api/workflows/YourWorkflow')
        .send({ input: 'World', workflowId: 'no spaces/or slashes' });
      assertCleanErrorBody(badId, 400);
      assertNamesField(badId.body, 'workflowId');
      assert.equal(await workflowExists(client, 'no spaces/or slashes'), false);
      assert.equal(await countWorkflowsOn(client, taskQueue), 0);
    }));

  it('answers 400 naming waitMs when the result wait is negative', () =>
    withApi(server, async ({ app }) => {
      const response = await request(app)
        .get(`/api/workflows/${uniqueName('wf')}/result`)
        .query({ waitMs: -5 });
      assertCleanErrorBody(response, 400);
      assertNamesField(response.body, 'waitMs');
    }));

  it('answers 404 for an unknown workflow ID, on describe and on result', () =>
    withApi(server, async ({ app }) => {
      const workflowId = uniqueName('missing');
      for (const path of [`/api/workflows/${workflowId}`, `/api/workflows/${workflowId}/result?waitMs=1000`]) {
        const response = await request(app).get(path);
        assertCleanErrorBody(response, 404);
        assert.equal(response.body.code, 'NOT_FOUND');
        assert.match(response.body.message, new RegExp(workflowId));
      }
    }));

  const unknownRoutes = [
    ['post', '/api/workflows/NoSuchType'],
    ['get', '/api/nothing/here'],
    ['delete', '/no-such-page'],
  ] as const;

  it('answers 404 JSON for a route that does not exist', () =>
    withApi(server, async ({ app }) => {
      for (const [method, path] of unknownRoutes) {
        const response = await request(app)[method](path).send({ input: 'World' });
        assertErrorAnswer(response, 404);
        assert.equal(response.body.code, 'NOT_FOUND');
        assert.ok(response.headers['x-request-id'], `${method} ${path}: no x-request-id`);
      }
    }));

  it('answers 409 naming the running run when the workflow ID is taken, and starts no second run', () =>
    withApi(server, async ({ app, client }) => {
      const workflowId = uniqueName('taken');
      const first = await request(app)
        .post('/api/workflows/StartActivityWorkflow')
        .send({ workflowId, input: { name: 'Long', startedActivityDelayMs: 60_000 } })
        .expect(200);
      try {
        for (const path of ['/api/workflows/YourWorkflow', '/api/workflows/YourWorkflow/execute']) {
          const again = await request(app).post(path).send({ workflowId, input: 'World' });
          assertCleanErrorBody(again, 409);
          assert.equal(again.body.code, 'CONFLICT');
          assert.equal(again.body.data.details.existingRunId, first.body.runId);
          assert.equal(again.body.data.details.workflowId, workflowId);
        }
        // The latest run of the ID is still the first one, of the first type.
        const description = await client.workflow.getHandle(workflowId).describe();
        assert.equal(description.runId, first.body.runId);
        assert.equal(description.type, 'StartActivityWorkflow');
        assert.equal(description.status.name, 'RUNNING');
      } finally {
        await client.workflow.getHandle(workflowId).terminate('test over');
      }
    }));

  it('answers 415 for a body that is not JSON, and starts nothing', () =>
    withApi(server, async ({ app, client, taskQueue }) => {
      const workflowId = uniqueName('form');
      const response = await request(app)
        .post('/api/workflows/YourWorkflow')
        .type('form')
        .send({ input: 'World', workflowId });
      assertErrorAnswer(response, 415);
      assert.equal(response.body.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.ok(response.headers['x-request-id'], 'no x-request-id');
      assert.equal(await workflowExists(client, workflowId), false);
      assert.equal(await countWorkflowsOn(client, taskQueue), 0);
    }));

  // trpc-to-openapi answers unmatched routes under /api before any context exists; the request scope still
  // puts the id in the body.
  it('echoes a request id on 404s under /api and on 415s too', () =>
    withApi(server, async ({ app }) => {
      for (const [method, path] of unknownRoutes) {
        assertRequestIdEchoed(await request(app)[method](path).send({ input: 'World' }));
      }
      assertRequestIdEchoed(await request(app).post('/api/workflows/YourWorkflow').type('form').send({ input: 'x' }));
    }));

  it('answers 400 PARSE_ERROR for malformed JSON', () =>
    withApi(server, async ({ app }) => {
      const response = await request(app)
        .post('/api/workflows/YourWorkflow')
        .set('content-type', 'application/json')
        .send('{"input": "World"');
      assertCleanErrorBody(response, 400);
      assert.equal(response.body.code, 'PARSE_ERROR');
    }));

  it('answers 413 for an over-large body, and starts nothing', () =>
    withApi(server, async ({ app, client }) => {
      const workflowId = uniqueName('huge');
      const response = await request(app)
        .post('/api/workflows/YourWorkflow')
        .send({ workflowId, input: 'x'.repeat(2_000_000) });
      assertCleanErrorBody(response, 413);
      assert.equal(response.body.code, 'PAYLOAD_TOO_LARGE');
      assert.equal(await workflowExists(client, workflowId), false);
    }));

  it('echoes the caller’s x-request-id in the header and the error body', () =>
    withApi(server, async ({ app }) => {
      const response = await request(app)
        .get(`/api/workflows/${uniqueName('missing')}`)
        .set('x-request-id', 'trace-123');
      assertCleanErrorBody(response, 404);
      assert.equal(response.headers['x-request-id'], 'trace-123');
    }));
});
