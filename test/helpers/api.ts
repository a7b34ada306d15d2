import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { createApp } from '../../api/app';
import type { ApiMetrics } from '../../api/metrics';
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { createTestWorker, uniqueName, type TestServer } from './temporal';

/** The one test-server helper, re-exported beside the app helpers that take it. */
export { useTestServer, type TestServer } from './temporal';

/** The app under test with the real Client it talks through and the task queue its worker polls. */
export interface ApiUnderTest {
  app: Express;
  client: Client;
  taskQueue: string;
}

/**
 * createApp over a real Client; the API starts workflows on `taskQueue` and logs nothing. Pass `draining` (a
 * controller's signal) to drive the shutdown drain, `env` for other settings (e.g. API_MAX_IN_FLIGHT), and `metrics`
 * to read the app's gauges (e.g. the progress streams it holds open).
 */
export function createTestApp(
  client: Client,
  taskQueue: string,
  {
    draining = new AbortController().signal,
    env = {},
    metrics,
  }: { draining?: AbortSignal; env?: Record<string, string>; metrics?: ApiMetrics } = {},
): Express {
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'silent', ...env });
  return createApp({ client, config, logger: createLogger('api-test', config.LOG_LEVEL), draining, metrics });
}

/**
 * Runs `fn` against the app while a real worker polls a task queue no other test uses,
 * so that each test sees only its own workflows. The worker stops when `fn` settles.
 */
export async function withApi<T>(
  server: TestServer,
  fn: (api: ApiUnderTest) => Promise<T>,
  // Tests that inspect fakes (stock released, where a parcel went) or need a slow carrier pass their own activities.
  workerOptions: Pick<WorkerOptions, 'activities'> = {},
  // Settings for the app (e.g. AUTH_API_KEYS), as the environment would give them.
  env: Record<string, string> = {},
): Promise<T> {
  const taskQueue = uniqueName('api-tq');
  const worker = await createTestWorker(server.env, server.bundle, { taskQueue, ...workerOptions });
  const client = server.env.client;
  return worker.runUntil(() => fn({ app: createTestApp(client, taskQueue, { env }), client, taskQueue }));
}

/** Listens on a free port (for clients that need a real URL); close() stops it. */
export async function listen(app: Express): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Whether Temporal knows any run of this workflow ID (describe is strongly consistent, unlike list). */
export async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** How many executions visibility lists on the task queue (eventually consistent: use with describe). */
export async function countWorkflowsOn(client: Client, taskQueue: string): Promise<number> {
  let count = 0;
  for await (const _ of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) count += 1;
  return count;
}

const STACK_LINE = /\n\s+at /;
const INTERNAL_PATH = /\/(work|root|home|usr|tmp)\/|node_modules|\.[cm]?[jt]s:\d+/;

/** What every error answer must look like: the status, a JSON body, and nothing internal (no stack, no file path). */
export function assertErrorAnswer(response: Response, status: number): void {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${response.text}`);
  assert.match(String(response.headers['content-type']), /application\/json/);
  assert.equal(typeof (response.body as { code?: unknown }).code, 'string', `no error code: ${response.text}`);
  assert.doesNotMatch(response.text, STACK_LINE, 'error body has a stack trace');
  assert.doesNotMatch(response.text, INTERNAL_PATH, 'error body names an internal file');
}

/** The request id is in the x-request-id header and, the same one, in the body (data.requestId). */
export function assertRequestIdEchoed(response: Response): void {
  const headerId = response.headers['x-request-id'];
  assert.ok(typeof headerId === 'string' && headerId.length > 0, `no x-request-id header: ${response.text}`);
  const body = response.body as { requestId?: unknown; data?: { requestId?: unknown } };
  assert.equal(body.data?.requestId, headerId, `body requestId must echo the header: ${response.text}`);
}

/** An error answer the caller can act on and report: right status, JSON, no internals, request id echoed. */
export function assertCleanErrorBody(response: Response, status: number): void {
  assertErrorAnswer(response, status);
  assertRequestIdEchoed(response);
}

/** Runs YourWorkflow to completion through the app (REST execute); answers its workflow ID. */
export async function completedGreeting(app: Express): Promise<string> {
  const workflowId = uniqueName('greeting');
  const done = await request(app)
    .post('/api/workflows/YourWorkflow/execute')
    .send({ input: 'World', workflowId, waitMs: 10_000 });
  assert.equal(done.body.status, 'COMPLETED', done.text);
  return workflowId;
}
