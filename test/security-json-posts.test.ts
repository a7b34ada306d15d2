import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { useTestServer, withApi, workflowExists } from './helpers/api';
import { startOrderAwaitingApproval } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

// A page a developer opens may POST across origins without a CORS preflight only with no content type or a form's
// (text/plain, urlencoded, multipart). The API acts on no such POST: every POST says it is JSON, body or not.
describe('POSTs must say they are JSON (the cross-site hole), against a real dev server', () => {
  const server = useTestServer();

  it('refuses a body-less POST without a content type (415) and acts on nothing; accepts it as {} with one', () =>
    withApi(server, async ({ app, client }) => {
      const workflowId = await startOrderAwaitingApproval(app);
      const refused = await request(app).post(`/api/workflows/${workflowId}/cancel`);
      assert.equal(refused.status, 415, refused.text);
      assert.equal(refused.body.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(refused.body.message, /content-type: application\/json/);
      const running = await client.workflow.getHandle(workflowId).describe();
      assert.equal(running.status.name, 'RUNNING', 'the refused cancel reached the run');

      const accepted = await request(app)
        .post(`/api/workflows/${workflowId}/cancel`)
        .set('content-type', 'application/json');
      assert.equal(accepted.status, 202, accepted.text);
      const cancelled = await request(app).get(`/api/workflows/${workflowId}/result?waitMs=10000`);
      assert.equal(cancelled.body.status, 'CANCELLED', cancelled.text);
    }));

  it('refuses what a cross-site form can send (text/plain JSON, urlencoded) on both transports, and starts nothing', () =>
    withApi(server, async ({ app, client }) => {
      const workflowId = uniqueName('form');
      const body = JSON.stringify({ input: 'World', workflowId });
      for (const [path, type] of [
        ['/api/workflows/YourWorkflow', 'text/plain'],
        ['/api/workflows/YourWorkflow', 'application/x-www-form-urlencoded'],
        ['/trpc/workflows.YourWorkflow.start', 'text/plain'],
        ['/trpc/workflows.YourWorkflow.start', 'application/x-www-form-urlencoded'],
      ] as const) {
        const response = await request(app).post(path).set('content-type', type).send(body);
        assert.equal(response.status, 415, `${path} as ${type}: ${response.text}`);
      }
      const noType = await request(app).post('/trpc/workflows.YourWorkflow.start').unset('content-type').send(body);
      assert.equal(noType.status, 415, `tRPC without a content type: ${noType.text}`);
      assert.equal(await workflowExists(client, workflowId), false, 'a refused POST started the workflow');
    }));
});
