import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { workflowContracts } from '../workflows/contracts';
import { createTestApp } from './helpers/api';
import { uniqueName } from './helpers/temporal';

interface Parameter {
  name: string;
  in: string;
  schema?: { enum?: string[] };
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Paths = Record<string, Record<string, Operation>>;

/** A route of the lifecycle API and the error responses its document must name. */
interface ExpectedRoute {
  method: 'get' | 'post';
  path: string;
  errors: string[];
  idempotencyKey?: boolean;
}

function lifecycleRoutes(): ExpectedRoute[] {
  const routes: ExpectedRoute[] = [
    { method: 'post', path: '/workflows/{workflowId}/cancel', errors: ['400', '404', '409', '503'] },
    { method: 'post', path: '/workflows/{workflowId}/terminate', errors: ['400', '404', '409', '503'] },
    { method: 'get', path: '/workflows/{workflowId}/result', errors: ['400', '404', '503'] },
    { method: 'get', path: '/workflows/{workflowId}', errors: ['400', '404', '503'] },
    { method: 'get', path: '/workflows/{workflowId}/updates/{updateId}/result', errors: ['400', '404', '422', '503'] },
    { method: 'get', path: '/workflows', errors: ['400', '503'] },
    { method: 'get', path: '/task-queues/{taskQueue}', errors: ['400', '503'] },
  ];
  for (const contract of workflowContracts) {
    const type = contract.workflowType;
    const startErrors = ['400', '409', '422', '503'];
    routes.push({ method: 'post', path: `/workflows/${type}`, errors: startErrors, idempotencyKey: true });
    routes.push({ method: 'post', path: `/workflows/${type}/execute`, errors: startErrors, idempotencyKey: true });
    for (const name of Object.keys(contract.signals)) {
      routes.push({ method: 'post', path: `/workflows/{workflowId}/signals/${name}`, errors: ['400', '404', '409'] });
      routes.push({ method: 'post', path: `/workflows/${type}/signal-with-start/${name}`, errors: ['400'] });
    }
    for (const name of Object.keys(contract.queries)) {
      routes.push({ method: 'get', path: `/workflows/{workflowId}/queries/${name}`, errors: ['400', '404'] });
    }
    for (const name of Object.keys(contract.updates)) {
      routes.push({
        method: 'post',
        path: `/workflows/{workflowId}/updates/${name}`,
        errors: ['400', '404', '409', '422'],
        idempotencyKey: true,
      });
      routes.push({
        method: 'post',
        path: `/workflows/${type}/update-with-start/${name}`,
        errors: ['400', '422'],
        idempotencyKey: true,
      });
    }
  }
  return routes;
}

describe('OpenAPI document: the workflow lifecycle routes', () => {
  let connection: Connection;
  let paths: Paths;
  before(async () => {
    // The document is built from the procedures alone; the client points nowhere and is never called.
    connection = Connection.lazy({ address: '127.0.0.1:9' });
    const app = createTestApp(new Client({ connection }), uniqueName('docs'));
    const response = await request(app).get('/openapi.json').expect(200);
    paths = response.body.paths as Paths;
  });
  after(async () => {
    await connection?.close();
  });

  it('documents every lifecycle route with its error responses', () => {
    const routes = lifecycleRoutes();
    assert.ok(
      routes.some((route) => route.path.includes('/signals/approve')),
      'OrderFulfilment messages expected',
    );
    for (const { method, path, errors, idempotencyKey } of routes) {
      const operation = paths[path]?.[method];
      assert.ok(operation, `${method.toUpperCase()} ${path} is not in the document`);
      const codes = Object.keys(operation.responses);
      for (const code of errors) assert.ok(codes.includes(code), `${method.toUpperCase()} ${path} lacks ${code}`);
      if (idempotencyKey) {
        const header = operation.parameters?.find((parameter) => parameter.in === 'header');
        assert.equal(header?.name.toLowerCase(), 'idempotency-key', `${path} does not document Idempotency-Key`);
      }
    }
  });

  it('documents 202 where a route answers it: signals and cancel always, execute and updates after their wait', () => {
    const codesOf = (path: string): string[] => Object.keys(paths[path]?.post?.responses ?? {});
    for (const path of ['/workflows/{workflowId}/signals/approve', '/workflows/{workflowId}/cancel']) {
      assert.ok(codesOf(path).includes('202') && !codesOf(path).includes('200'), `${path}: ${codesOf(path)}`);
    }
    for (const path of [
      '/workflows/YourWorkflow/execute',
      '/workflows/{workflowId}/updates/changeShippingAddress',
      '/workflows/OrderFulfilment/update-with-start/waitForPayment',
    ]) {
      assert.ok(codesOf(path).includes('200') && codesOf(path).includes('202'), `${path}: ${codesOf(path)}`);
    }
    assert.deepEqual(
      codesOf('/workflows/YourWorkflow').filter((code) => code.startsWith('2')),
      ['200'],
    );
  });

  it('documents the list filters as closed sets: registered types and statuses', () => {
    const parameters = paths['/workflows']?.get?.parameters ?? [];
    const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
    assert.deepEqual(
      byName.get('type')?.schema?.enum,
      workflowContracts.map((contract) => contract.workflowType),
    );
    assert.ok(byName.get('status')?.schema?.enum?.includes('RUNNING'));
    for (const name of ['pageSize', 'pageToken']) assert.equal(byName.get(name)?.in, 'query', name);
  });

  it('documents the progress stream as text/event-stream, with Last-Event-ID and a 404', () => {
    const events = paths['/workflows/{workflowId}/events']?.get;
    assert.ok(events, 'no events route');
    assert.ok(events.responses['200']?.content?.['text/event-stream'], 'the events route is not text/event-stream');
    assert.ok(events.responses['404'], 'the events route lacks 404');
    const names = (events.parameters ?? []).map((parameter) => `${parameter.in}:${parameter.name}`);
    assert.ok(names.includes('path:workflowId'));
    assert.ok(names.includes('header:Last-Event-ID'));
  });
});
