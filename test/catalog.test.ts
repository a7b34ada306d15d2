import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../api/app';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { workflowContracts } from '../workflows/contracts';
import { useUnreachableAddress } from './helpers/unreachable-temporal';

interface CatalogAnswer {
  namespace: string;
  temporalUiUrl: string | null;
  workflowTypes: {
    workflowType: string;
    input: { type?: string; required?: string[]; properties?: Record<string, { default?: unknown }> };
    exampleInput: unknown;
    progressQuery: string | null;
    signals: { name: string; input: { required?: string[] } }[];
    queries: { name: string }[];
    updates: { name: string; input: { properties?: Record<string, unknown> } }[];
  }[];
}

// The catalog is built from the contracts alone: no Temporal call, so a server that is never reached will do.
describe('catalog: workflow types with JSON Schemas, for generated forms', () => {
  const unreachable = useUnreachableAddress();
  let connection: Connection;
  const appWith = (env: Record<string, string>): Express => {
    const config = loadConfig({ LOG_LEVEL: 'silent', TEMPORAL_NAMESPACE: 'shop', ...env });
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    return createApp({
      client,
      config,
      logger: createLogger('catalog-test', 'silent'),
      draining: new AbortController().signal,
    });
  };
  before(() => {
    connection = Connection.lazy({ address: unreachable.address() });
  });
  after(async () => {
    await connection?.close();
  });

  it('lists every registered contract, with its input, messages and example, over REST and tRPC alike', async () => {
    const app = appWith({ TEMPORAL_UI_URL: 'http://localhost:8233' });
    const rest = await request(app).get('/api/catalog').expect(200);
    const trpc = await request(app).get('/trpc/catalog.workflowTypes').expect(200);
    const catalog = rest.body as CatalogAnswer;
    assert.deepEqual((trpc.body as { result: { data: CatalogAnswer } }).result.data, catalog);
    assert.equal(catalog.namespace, 'shop');
    assert.equal(catalog.temporalUiUrl, 'http://localhost:8233');
    assert.deepEqual(
      catalog.workflowTypes.map((entry) => entry.workflowType),
      workflowContracts.map((contract) => contract.workflowType),
    );

    const order = catalog.workflowTypes.find((entry) => entry.workflowType === 'OrderFulfilment');
    assert.ok(order);
    assert.equal(order.input.type, 'object');
    assert.deepEqual(order.input.required, ['orderId', 'customerId', 'items', 'payment', 'shippingAddress']);
    // Input side: a field with a default is optional, and the form shows the default.
    assert.ok(order.input.properties?.approvalTimeoutMs?.default !== undefined);
    assert.equal(order.progressQuery, 'status');
    assert.deepEqual(
      order.signals.map((signal) => signal.name),
      ['approve', 'reject'],
    );
    assert.deepEqual(order.signals[0]?.input.required, ['approvedBy']);
    assert.deepEqual(
      order.queries.map((query) => query.name),
      ['status'],
    );
    assert.ok(
      order.updates.find((update) => update.name === 'changeShippingAddress')?.input.properties?.shippingAddress,
    );
    assert.deepEqual(order.exampleInput, workflowContracts[3].exampleInput);

    const greeting = catalog.workflowTypes.find((entry) => entry.workflowType === 'YourWorkflow');
    assert.equal(greeting?.input.type, 'string');
    assert.equal(greeting?.progressQuery, null);
  });

  it('has no Web UI link unless TEMPORAL_UI_URL is set, and refuses a TEMPORAL_UI_URL that is not a URL', async () => {
    const catalog = (await request(appWith({})).get('/api/catalog').expect(200)).body as CatalogAnswer;
    assert.equal(catalog.temporalUiUrl, null);
    assert.throws(() => loadConfig({ TEMPORAL_UI_URL: 'localhost:8233' }), /invalid TEMPORAL_UI_URL/);
  });

  it('is in the OpenAPI document', async () => {
    const document = (await request(appWith({})).get('/openapi.json').expect(200)).body as {
      paths: Record<string, { get?: unknown }>;
    };
    assert.ok(document.paths['/api/catalog']?.get ?? document.paths['/catalog']?.get, 'GET /api/catalog is documented');
  });
});
