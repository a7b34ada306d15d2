import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import request from 'supertest';
import type { AppRouter } from '../api/router';
import { SCOPES } from '../api/auth/scopes';
import { apiKeysEnv, testKey } from './helpers/auth';
import { apiMetricsPort, listeningPort, spawnNode, type RunningProcess } from './helpers/processes';
import { startTestServer, temporalCliPath, uniqueName } from './helpers/temporal';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const BUILT = ['api/main.js', 'worker/main.js', 'workflow-bundle.js', 'console/main.js'].map((file) =>
  join(DIST, file),
);
const START_TIMEOUT_MS = 30_000;
// Production refuses to serve without authentication: the processes run with one key, sent on every call.
const E2E_KEY = testKey('e2e', [...SCOPES]);
// A graceful stop of either process takes well under a second; a few seconds leaves room for a busy machine.
const STOP_WITHIN_MS = 5_000;

describe('end to end: the built API and worker processes on a real server', () => {
  let env: TestWorkflowEnvironment;
  let worker: RunningProcess;
  let baseUrl: string;
  let metricsUrl: string;
  const taskQueue = uniqueName('e2e-tq');
  const started: RunningProcess[] = [];

  /** Starts a worker and an API on the file's server and task queue; the API binds a free port and logs it. */
  async function startPair(): Promise<{
    worker: RunningProcess;
    api: RunningProcess;
    baseUrl: string;
    metricsUrl: string;
  }> {
    const config = {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: '0',
      API_METRICS_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // The image's worker ships only the in-memory order services; production refuses them unless told otherwise.
      ALLOW_FAKE_SERVICES_IN_PRODUCTION: 'true',
      ...apiKeysEnv(E2E_KEY),
    };
    const pair = {
      worker: spawnNode('worker', [join(DIST, 'worker/main.js')], config),
      api: spawnNode('api', [join(DIST, 'api/main.js')], config),
    };
    started.push(pair.worker, pair.api);
    const [, listening] = await Promise.all([
      pair.worker.waitForLine(/"message":"worker polling"/, START_TIMEOUT_MS),
      pair.api.waitForLine(/"message":"api listening"/, START_TIMEOUT_MS),
    ]);
    return {
      ...pair,
      baseUrl: `http://127.0.0.1:${listeningPort(listening)}`,
      metricsUrl: `http://127.0.0.1:${apiMetricsPort(listening)}`,
    };
  }

  before(async () => {
    // `npm test` builds first (pretest); run alone, this file builds what is missing.
    if (!BUILT.every((file) => existsSync(file))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    env = await startTestServer();
    ({ worker, baseUrl, metricsUrl } = await startPair());
  });
  after(async () => {
    await Promise.all(started.map((child) => child.stop('SIGKILL', 1000)));
    await env?.teardown();
  });

  it('runs the worker on the prebuilt bundle and the configured task queue', async () => {
    const line = await worker.waitForLine(/"message":"worker polling"/, 0);
    const logged = JSON.parse(line) as { taskQueue: string; workflowSource: { bundlePath?: string } };
    assert.equal(logged.taskQueue, taskQueue);
    assert.equal(logged.workflowSource.bundlePath, join(DIST, 'workflow-bundle.js'));
  });

  it('is ready, and documented', async () => {
    await request(baseUrl).get('/readyz').expect(200);
    const openapi = await request(baseUrl).get('/openapi.json').expect(200);
    assert.ok(openapi.body.paths['/workflows/YourWorkflow']);
  });

  it('serves /metrics on API_METRICS_PORT only, not on the public port', async () => {
    const scraped = await request(metricsUrl).get('/metrics').expect(200);
    assert.match(scraped.text, /^# HELP http_server_request_duration_seconds /m);
    assert.match(scraped.text, /^process_cpu_user_seconds_total /m);
    await request(metricsUrl).get('/openapi.json').expect(404);
    await request(baseUrl).get('/metrics').expect(404);
  });

  it('serves the web console, built into dist/console, at /', async () => {
    const page = await request(baseUrl).get('/').expect(200);
    assert.match(page.text, /<title>Temporal HTTP console<\/title>/);
    const script = await request(baseUrl).get('/main.js').expect(200);
    assert.match(String(script.headers['content-type']), /javascript/);
  });

  /** POSTs `body` to the running API as the test's key. */
  const postAsE2e = (path: string, body: object): request.Test =>
    request(baseUrl).post(path).set('x-api-key', E2E_KEY.key).send(body);

  it('starts a workflow over REST and serves its result', async () => {
    const started = await postAsE2e('/api/workflows/YourWorkflow', { input: 'World' }).expect(200);
    assert.match(started.body.workflowId, /^YourWorkflow-/);
    const result = await request(baseUrl)
      .get(`/api/workflows/${started.body.workflowId}/result`)
      .set('x-api-key', E2E_KEY.key)
      .query({ waitMs: 10_000 })
      .expect(200);
    assert.equal(result.body.status, 'COMPLETED');
    assert.equal(result.body.result, 'Hello, World!');
    assert.equal(result.body.runId, started.body.runId);
  });

  it('executes a workflow over REST', async () => {
    const response = await postAsE2e('/api/workflows/YourWorkflow/execute', { input: 'End to end' }).expect(200);
    assert.equal(response.body.status, 'COMPLETED');
    assert.equal(response.body.result, 'Hello, End to end!');
  });

  it('serves the typed tRPC client', async () => {
    const trpc = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${baseUrl}/trpc`, headers: { 'x-api-key': E2E_KEY.key } })],
    });
    const started = await trpc.workflows.YourWorkflow.start.mutate({ input: 'tRPC' });
    const outcome = await trpc.executions.result.query({ workflowId: started.workflowId, waitMs: 10_000 });
    assert.equal(outcome.status, 'COMPLETED');
    assert.equal(outcome.status === 'COMPLETED' && outcome.result, 'Hello, tRPC!');
    const description = await trpc.executions.describe.query({ workflowId: started.workflowId });
    assert.equal(description.taskQueue, taskQueue);
  });

  it('serves any Temporal client: the temporal CLI executes YourWorkflow on the worker', async () => {
    const { stdout } = await promisify(execFile)(
      temporalCliPath(),
      [
        'workflow',
        'execute',
        '--type',
        'YourWorkflow',
        '--task-queue',
        taskQueue,
        '--workflow-id',
        uniqueName('cli'),
        '--input',
        '"World"',
        '--address',
        env.address,
      ],
      { timeout: 30_000 },
    );
    assert.match(stdout, /"Hello, World!"/);
  });

  it('exits 1 with a clear line when its port is taken, instead of pretending to listen', async () => {
    const port = new URL(baseUrl).port; // the running API holds it
    const second = spawnNode('api-2', [join(DIST, 'api/main.js')], {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: port,
      HOST: '127.0.0.1',
    });
    const { code } = await new Promise<{ code: number | null }>((resolve) =>
      second.child.once('exit', (exitCode) => resolve({ code: exitCode })),
    );
    assert.equal(code, 1, second.output());
    const line = second
      .output()
      .split('\n')
      .find((candidate) => candidate.includes('"message":"api could not listen"'));
    assert.match(line ?? '', /EADDRINUSE/, second.output());
    assert.doesNotMatch(second.output(), /api listening/);
  });

  it('stops both processes on SIGTERM, with exit code 0, within a few seconds', async (t) => {
    // A pair of its own: the other tests keep theirs, whatever the order they run in.
    const { worker, api } = await startPair();
    const [workerExit, apiExit] = await Promise.all([
      worker.stop('SIGTERM', STOP_WITHIN_MS * 2),
      api.stop('SIGTERM', STOP_WITHIN_MS * 2),
    ]);
    t.diagnostic(`worker stopped in ${workerExit.elapsedMs} ms, api in ${apiExit.elapsedMs} ms`);
    assert.equal(workerExit.code, 0, `worker exited ${workerExit.code}; output:\n${worker.output()}`);
    assert.equal(apiExit.code, 0, `api exited ${apiExit.code}; output:\n${api.output()}`);
    assert.ok(workerExit.elapsedMs < STOP_WITHIN_MS, `worker took ${workerExit.elapsedMs} ms to stop`);
    assert.ok(apiExit.elapsedMs < STOP_WITHIN_MS, `api took ${apiExit.elapsedMs} ms to stop`);
    assert.match(worker.output(), /"message":"worker stopped"/);
    assert.match(api.output(), /"message":"api shutting down"/);
  });
});
