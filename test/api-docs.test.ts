import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { appRouter } from '../api/router';
import type { ApiMeta } from '../api/trpc';
import { workflowContracts } from '../workflows/contracts';
import { createTestApp } from './helpers/api';
import { uniqueName } from './helpers/temporal';

type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function resolvePointer(document: Json, ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `external $ref ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document);
}

function collectRefs(node: unknown, refs: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => collectRefs(item, refs));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value);
      else collectRefs(value, refs);
    }
  }
  return refs;
}

/** The structural rules of OpenAPI 3.1 that a generator can break: refs, path parameters, operation IDs, responses. */
function assertValidOpenApi31(document: Json): void {
  assert.match(String(document.openapi), /^3\.1\.\d+$/);
  const info = document.info as Json;
  assert.equal(typeof info.title, 'string');
  assert.equal(typeof info.version, 'string');
  for (const ref of collectRefs(document)) assert.notEqual(resolvePointer(document, ref), undefined, `dangling ${ref}`);

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    assert.ok(path.startsWith('/'), path);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    for (const [method, operation] of Object.entries(item) as [string, Json][]) {
      assert.ok(HTTP_METHODS.includes(method), `${path}: unknown method ${method}`);
      const id = String(operation.operationId);
      assert.ok(!operationIds.has(id), `operationId ${id} used twice`);
      operationIds.add(id);
      const responses = Object.keys(operation.responses as Json);
      assert.ok(
        responses.some((code) => /^2\d\d$/.test(code)),
        `${method} ${path} has no success response`,
      );
      const pathParams = ((operation.parameters ?? []) as Json[]).filter((parameter) => parameter.in === 'path');
      for (const name of templated) {
        const declared = pathParams.find((parameter) => parameter.name === name);
        assert.ok(declared?.required === true, `${method} ${path}: path parameter ${name} not declared required`);
      }
    }
  }
}

describe('OpenAPI document and docs page', () => {
  let connection: Connection;
  let app: Express;
  let document: Json;
  before(async () => {
    // These routes never reach Temporal; the client points nowhere and is never called.
    connection = Connection.lazy({ address: '127.0.0.1:9' });
    app = createTestApp(new Client({ connection }), uniqueName('docs'));
    const response = await request(app).get('/openapi.json').expect(200).expect('content-type', /json/);
    document = response.body;
  });
  after(async () => {
    await connection?.close();
  });

  it('is a valid OpenAPI 3.1 document served under /api', () => {
    assertValidOpenApi31(document);
    assert.deepEqual(document.servers, [{ url: '/api' }]);
  });

  it('has start and execute for every contract, and the executions routes', () => {
    const paths = document.paths as Record<string, Json>;
    for (const { workflowType } of workflowContracts) {
      assert.ok(paths[`/workflows/${workflowType}`]?.post, `no start route for ${workflowType}`);
      assert.ok(paths[`/workflows/${workflowType}/execute`]?.post, `no execute route for ${workflowType}`);
    }
    assert.ok(paths['/workflows/{workflowId}']?.get, 'no describe route');
    assert.ok(paths['/workflows/{workflowId}/result']?.get, 'no result route');
    const resultParams = (paths['/workflows/{workflowId}/result']?.get as Json).parameters as Json[];
    assert.ok(resultParams.some((parameter) => parameter.name === 'waitMs' && parameter.in === 'query'));
  });

  it('takes the request schema from the zod contract: YourWorkflow input is a required string', () => {
    const start = (document.paths as Record<string, Json>)['/workflows/YourWorkflow']?.post as Json;
    const body = start.requestBody as { required: boolean; content: Record<string, { schema: Json }> };
    assert.equal(body.required, true);
    const schema = body.content['application/json']?.schema as {
      properties: Record<string, Json>;
      required: string[];
    };
    assert.equal(schema.properties.input?.type, 'string');
    assert.equal(schema.properties.input?.minLength, 1);
    assert.equal(schema.properties.workflowId?.type, 'string');
    assert.ok(schema.required.includes('input'));
    assert.ok(!schema.required.includes('workflowId'));

    const timeout = (document.paths as Record<string, Json>)['/workflows/ActivityTimeoutWorkflow']?.post as Json;
    const timeoutInput = (
      (timeout.requestBody as { content: Record<string, { schema: { properties: Record<string, Json> } }> }).content[
        'application/json'
      ]?.schema.properties.input as { properties: Record<string, Json> }
    ).properties;
    assert.deepEqual(timeoutInput.timeout?.enum, ['startToClose', 'scheduleToClose', 'scheduleToStart']);
  });

  it('documents the error responses', () => {
    const paths = document.paths as Record<string, Record<string, { responses: Json }>>;
    const start = Object.keys(paths['/workflows/YourWorkflow']?.post?.responses ?? {});
    const execute = Object.keys(paths['/workflows/YourWorkflow/execute']?.post?.responses ?? {});
    const result = Object.keys(paths['/workflows/{workflowId}/result']?.get?.responses ?? {});
    const describeCodes = Object.keys(paths['/workflows/{workflowId}']?.get?.responses ?? {});
    for (const code of ['400', '409', '503']) {
      assert.ok(start.includes(code), `start lacks ${code}`);
      assert.ok(execute.includes(code), `execute lacks ${code}`);
    }
    for (const code of ['400', '404', '503']) {
      assert.ok(result.includes(code), `result lacks ${code}`);
      assert.ok(describeCodes.includes(code), `describe lacks ${code}`);
    }
  });

  it('serves /docs: Swagger UI from local assets, finding the document relative to the page', async () => {
    const page = await request(app).get('/docs').expect(200).expect('content-type', /html/);
    assert.doesNotMatch(page.text, /(src|href)="\//, 'an absolute URL breaks the page behind a path prefix');
    // Resolved as a browser does, from /docs: the same files a proxy prefix would keep beside it.
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map(
      (match) => new URL(match[1] as string, 'http://h/docs').pathname,
    );
    assert.ok(scripts.includes('/docs/assets/swagger-ui-bundle.js'), page.text);
    const sources = await Promise.all(
      scripts.map((src) =>
        request(app)
          .get(src)
          .expect(200)
          .expect('content-type', /javascript/),
      ),
    );
    assert.ok(
      sources.some((source) => source.text.includes("new URL('openapi.json', document.baseURI)")),
      'no script of /docs loads openapi.json relative to the page',
    );
    assert.equal(new URL('openapi.json', 'http://h/prefix/docs').pathname, '/prefix/openapi.json');
    const bundle = sources[scripts.indexOf('/docs/assets/swagger-ui-bundle.js')];
    assert.ok(bundle && bundle.text.length > 100_000 && bundle.text.includes('SwaggerUIBundle'));
    const css = page.text.match(/<link rel="stylesheet" href="([^"]+)"/)?.[1];
    assert.ok(css, 'no stylesheet');
    await request(app).get(new URL(css, 'http://h/docs').pathname).expect(200).expect('content-type', /css/);
    await request(app).get('/docs/').expect(301).expect('location', '../docs');
  });

  it('pre-fills every request body with an example the API accepts (from the contracts)', () => {
    const paths = document.paths as Record<string, Record<string, Json>>;
    let checked = 0;
    for (const procedure of Object.values(appRouter._def.procedures as Record<string, unknown>)) {
      const def = (procedure as { _def: { meta?: ApiMeta; inputs: { parse(value: unknown): unknown }[] } })._def;
      const openapi = def.meta?.openapi;
      if (!openapi || openapi.method !== 'POST') continue;
      if (openapi.path.endsWith('/cancel') || openapi.path.endsWith('/terminate')) continue; // no body needed
      if (def.meta?.linkToken) continue; // the body is the input of the message the link names (GET gives its schema)
      const body = paths[openapi.path]?.post?.requestBody as { content: Record<string, { example?: unknown }> };
      const example = body.content['application/json']?.example;
      assert.notEqual(example, undefined, `no example for POST ${openapi.path}`);
      assert.deepEqual(example, def.meta?.example);
      // Path parameters come from the URL; the rest is the body, as "Try it out" sends it.
      const pathParams = Object.fromEntries(
        [...openapi.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [
          name,
          name === 'workflowId' ? 'order-1001' : 'daily-1',
        ]),
      );
      const input = typeof example === 'object' && example !== null ? { ...example, ...pathParams } : example;
      for (const parser of def.inputs) parser.parse(input);
      checked += 1;
    }
    assert.ok(checked >= workflowContracts.length * 2, `only ${checked} examples checked`);
  });
});
