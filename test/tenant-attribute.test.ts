import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { TENANT_SEARCH_ATTRIBUTE } from '../api/auth/tenancy';
import { registerSearchAttributeCommand } from '../common/search-attributes';
import { assertCleanErrorBody, createTestApp } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { temporalCliPath, uniqueName } from './helpers/temporal';

// A real Temporal server is refused the old name (`Temporal*` is reserved), and an operator may simply forget the
// command: then a tenant's start must not answer 400 as if the caller were wrong.
describe('the tenant search attribute not registered in the namespace', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    // The dev server WITHOUT the service's search attributes (devServerSettingsArgs would register them).
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        ip: '127.0.0.1',
        extraArgs: ['--log-level', 'error'],
      },
    });
  });
  after(() => env?.teardown());

  const tenantKey = testKey('acme-ops', [...SCOPES], { tenant: 'acme' });
  const command = registerSearchAttributeCommand('default', TENANT_SEARCH_ATTRIBUTE);

  it('a tenant caller’s start answers 503 naming the command, not 400, and starts nothing', async () => {
    const app = createTestApp(env.client, uniqueName('tq'), { env: apiKeysEnv(tenantKey) });
    const workflowId = uniqueName('wf');
    const response = await request(app)
      .post('/api/workflows/YourWorkflow')
      .set('authorization', `Bearer ${tenantKey.key}`)
      .send({ input: 'World', workflowId });
    assertCleanErrorBody(response, 503);
    const body = response.body as { code: string; message: string; data: { details: { searchAttribute: string } } };
    assert.equal(body.code, 'SERVICE_UNAVAILABLE');
    assert.equal(body.data.details.searchAttribute, TENANT_SEARCH_ATTRIBUTE);
    assert.match(body.message, new RegExp(`--name ${TENANT_SEARCH_ATTRIBUTE} --type Keyword`));
    await assert.rejects(env.client.workflow.getHandle(`acme~${workflowId}`).describe(), /not found/i);
  });

  it('/readyz answers 503 with the command while tenants are configured, 200 once it is registered', async () => {
    const app = createTestApp(env.client, uniqueName('tq'), { env: apiKeysEnv(tenantKey) });
    const missing = await request(app).get('/readyz');
    assert.equal(missing.status, 503);
    assert.equal((missing.body as { status: string }).status, 'misconfigured');
    assert.ok((missing.body as { message: string }).message.includes(command), missing.text);
    assert.ok(missing.headers['retry-after']);

    // Without tenants the attribute is not needed, so it is no reason to leave rotation.
    const untenanted = createTestApp(env.client, uniqueName('tq'), {
      env: apiKeysEnv(testKey('ops', [...SCOPES])),
    });
    assert.equal((await request(untenanted).get('/readyz')).status, 200);

    await env.client.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { [TENANT_SEARCH_ATTRIBUTE]: 2 /* INDEXED_VALUE_TYPE_KEYWORD */ },
    });
    const ready = await request(app).get('/readyz');
    assert.equal(ready.status, 200, ready.text);
  });
});
