import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import request from 'supertest';
import { createApp } from '../api/app';
import { apiWorkflowInterceptors } from '../api/temporal/temporal-client';
import { loadConfig } from '../common/config';
import { silentLogger } from '../common/logger';
import { startTracing, type Tracing } from '../common/tracing';
import { activityTracing, builtBundlePath, workflowSinks, workflowSourceFromConfig } from '../worker/create-worker';
import { activityRequestContext } from '../worker/activity-request-context';
import { useTestServer } from './helpers/api';
import { bundleWorkflows, createTestWorker, uniqueName } from './helpers/temporal';

describe('tracing: one request is one trace through API, workflow and activity', () => {
  const server = useTestServer();
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  let tracedBundle: WorkflowBundleWithSourceMap;
  before(async () => {
    tracing = startTracing('temporal-http-test', { exporter });
    tracedBundle = await bundleWorkflows({ traced: true });
  });
  after(async () => {
    await tracing?.shutdown();
  });

  /** A worker on `bundle` with traced activities, and an API that traces its requests, both on `taskQueue`. */
  async function tracedWorkerAndApi(bundle: WorkflowBundleWithSourceMap, taskQueue: string) {
    const worker = await createTestWorker(server.env, bundle, {
      taskQueue,
      interceptors: { activity: [activityRequestContext, activityTracing] },
      sinks: workflowSinks(tracing),
    });
    const client = new Client({
      connection: server.env.connection,
      interceptors: { workflow: apiWorkflowInterceptors(undefined, true) },
    });
    const app = createApp({
      client,
      config: loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue }),
      logger: silentLogger(),
      tracing: true,
      draining: new AbortController().signal,
    });
    return { worker, app };
  }

  it('picks the traced workflow bundle exactly when traces are exported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundles-'));
    try {
      for (const traced of [false, true]) writeFileSync(builtBundlePath(traced, dir), '');
      const plain = workflowSourceFromConfig(loadConfig({}), dir);
      const traced = workflowSourceFromConfig(
        loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }),
        dir,
      );
      assert.deepEqual(plain, { bundlePath: join(dir, 'workflow-bundle.js') });
      assert.deepEqual(traced, { bundlePath: join(dir, 'workflow-bundle-traced.js') });
      // A bundle named in the configuration wins either way.
      const named = loadConfig({
        WORKFLOW_BUNDLE_PATH: '/opt/b.js',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      });
      assert.deepEqual(workflowSourceFromConfig(named, dir), { bundlePath: '/opt/b.js' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    assert.equal(startTracing('off', { endpoint: loadConfig({}).OTEL_EXPORTER_OTLP_ENDPOINT }), undefined);
  });

  it('continues an incoming traceparent from the HTTP request to the workflow and each activity', async () => {
    assert.ok(tracing);
    const taskQueue = uniqueName('trace-tq');
    const { worker, app } = await tracedWorkerAndApi(tracedBundle, taskQueue);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const executed = await worker.runUntil(() =>
      request(app)
        .post('/api/workflows/YourWorkflow/execute')
        .set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`)
        .send({ input: 'Trace' })
        .expect(200),
    );
    assert.equal(executed.body.result, 'Hello, Trace!');

    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const names = spans.map((span) => span.name);
    for (const expected of [
      'POST /api/workflows/YourWorkflow/execute',
      'StartWorkflow:YourWorkflow',
      'RunWorkflow:YourWorkflow',
      'StartActivity:your_activity',
      'RunActivity:your_activity',
    ]) {
      assert.ok(names.includes(expected), `no span ${expected} in trace ${traceId}: ${names.join(', ')}`);
    }
    // The HTTP span is the child of the caller's span, and every other span descends from it.
    const http = spans.find((span) => span.name === 'POST /api/workflows/YourWorkflow/execute');
    assert.equal(http?.parentSpanId, '00f067aa0ba902b7');
    assert.equal(http?.attributes['http.route'], '/api/workflows/YourWorkflow/execute');
    const resources = new Set(spans.map((span) => span.resource.attributes['service.name']));
    assert.ok(resources.has('temporal-http-test'), `resources: ${[...resources]}`);
  });

  it('makes no workflow spans on the default bundle, which leaves the interceptor out (the API still traces)', async () => {
    const taskQueue = uniqueName('untraced-tq');
    const { worker, app } = await tracedWorkerAndApi(server.bundle, taskQueue);
    const traceId = '5cf92f3577b34da6a3ce929d0e0e4737';
    await worker.runUntil(() =>
      request(app)
        .post('/api/workflows/YourWorkflow/execute')
        .set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`)
        .send({ input: 'Plain' })
        .expect(200),
    );
    const names = exporter
      .getFinishedSpans()
      .filter((span) => span.spanContext().traceId === traceId)
      .map((span) => span.name);
    assert.ok(names.includes('StartWorkflow:YourWorkflow'), names.join(', '));
    assert.ok(!names.includes('RunWorkflow:YourWorkflow'), names.join(', '));
  });
});
