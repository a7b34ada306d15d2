import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { freePort, spawnNode, type RunningProcess } from './helpers/processes';
import { startTestServer, uniqueName } from './helpers/temporal';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const BUILT = ['api/main.js', 'worker/main.js', 'workflow-bundle.js'].map((file) => join(DIST, file));
const START_TIMEOUT_MS = 30_000;

type LogLine = Record<string, unknown> & { message: string };

// The SDK exports a counter once it first counts; these count failures, which this test does not cause.
const FIRST_SEEN_ON_FAILURE = ['temporal_workflow_failed_total', 'temporal_activity_execution_failed_total'];

/** Every series name a Prometheus scrape declares (histograms as their _bucket, _count and _sum). */
function exportedSeries(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name = '', type]) =>
    type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name],
  );
}

/** Every series name the Grafana dashboard's queries use. */
function dashboardSeries(): string[] {
  const dashboard = readFileSync(join(ROOT, 'deploy', 'grafana', 'temporal-http.json'), 'utf8');
  const exprs = [...dashboard.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map(([, expr = '']) => expr);
  return [
    ...new Set(exprs.flatMap((expr) => [...expr.matchAll(/([a-z_:][a-z0-9_:]*)\{/g)].map(([, name = '']) => name))),
  ];
}

function jsonLines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('operations: the built worker process (logs, probes, metrics, graceful shutdown, services)', () => {
  let env: TestWorkflowEnvironment;
  let baseEnv: Record<string, string>;
  const running: RunningProcess[] = [];
  const taskQueue = uniqueName('ops-tq');

  async function startWorker(name: string, extra: Record<string, string> = {}): Promise<RunningProcess> {
    const worker = spawnNode(name, [join(DIST, 'worker/main.js')], { ...baseEnv, ...extra });
    running.push(worker);
    await worker.waitForLine(/"message":"worker polling"/, START_TIMEOUT_MS);
    return worker;
  }

  before(async () => {
    if (!BUILT.every((file) => existsSync(file))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    env = await startTestServer();
    baseEnv = {
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
    };
  });
  after(async () => {
    await Promise.all(running.map((child) => child.stop('SIGKILL', 1000)));
    await env?.teardown();
  });

  it('serves /healthz, /readyz and the SDK’s Prometheus metrics on WORKER_METRICS_PORT; the request id reaches its log lines', async () => {
    const metricsPort = await freePort();
    const worker = await startWorker('worker', { WORKER_METRICS_PORT: String(metricsPort) });
    const apiPort = await freePort();
    const api = spawnNode('api', [join(DIST, 'api/main.js')], { ...baseEnv, PORT: String(apiPort), LOG_LEVEL: 'info' });
    running.push(api);
    await api.waitForLine(/"message":"api listening"/, START_TIMEOUT_MS);

    const ops = `http://127.0.0.1:${metricsPort}`;
    await eventually(
      async () => ((await request(ops).get('/readyz')).status === 200 ? true : undefined),
      10_000,
      'ready',
    );
    const health = await request(ops).get('/healthz').expect(200);
    assert.equal(health.body.state, 'RUNNING');

    // One request: its id is on the API's access line and on the worker's lines for the workflow and its activity.
    const requestId = uniqueName('ops-req');
    const executed = await request(`http://127.0.0.1:${apiPort}`)
      .post('/api/workflows/YourWorkflow/execute')
      .set('x-request-id', requestId)
      .send({ input: 'Operator' })
      .expect(200);
    assert.equal(executed.body.result, 'Hello, Operator!');
    const workflowId = executed.body.workflowId as string;
    const lines = await eventually(
      async () => {
        const found = jsonLines(worker.output()).filter((line) => line.requestId === requestId);
        return found.some((line) => line.activityType === 'your_activity') &&
          found.some((line) => line.message === 'Workflow completed')
          ? found
          : undefined;
      },
      10_000,
      `worker lines with requestId ${requestId}`,
    );
    assert.ok(lines.every((line) => line.workflowId === workflowId));
    assert.ok(lines.every((line) => line.component === 'worker' && typeof line.level === 'string'));
    const accessLine = await eventually(
      async () => jsonLines(api.output()).find((line) => line.requestId === requestId && 'durationMs' in line),
      10_000,
      `the API's access line for ${requestId}`,
    );
    assert.equal(accessLine?.route, '/api/workflows/YourWorkflow/execute');

    // Every line the worker printed is one JSON object (no multi-line SDK objects, no webpack report).
    const nonJson = worker
      .output()
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('{'));
    assert.deepEqual(nonJson, []);

    const scrape = await request(ops).get('/metrics').expect(200);
    for (const name of [
      'temporal_worker_task_slots_available',
      'temporal_num_pollers',
      'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
      'temporal_activity_schedule_to_start_latency_seconds_bucket',
      'temporal_sticky_cache_size',
      'temporal_workflow_completed_total',
      'temporal_activity_execution_latency_seconds_bucket',
      'temporal_request_latency_seconds_bucket',
    ]) {
      assert.match(scrape.text, new RegExp(`^${name}\\{`, 'm'), `no ${name} in the worker's metrics`);
    }
    assert.match(scrape.text, new RegExp(`task_queue="${taskQueue}"`));

    // The Grafana dashboard charts only series that the API and the worker export.
    const apiScrape = await request(`http://127.0.0.1:${apiPort}`).get('/metrics').expect(200);
    const exported = new Set([
      ...exportedSeries(scrape.text),
      ...exportedSeries(apiScrape.text),
      ...FIRST_SEEN_ON_FAILURE,
    ]);
    const charted = dashboardSeries();
    assert.ok(charted.length > 10, `the dashboard charts ${charted.length} series`);
    assert.deepEqual(
      charted.filter((name) => !exported.has(name)),
      [],
      'series in deploy/grafana/temporal-http.json that nothing exports',
    );
  });

  it('LOG_LEVEL=warn silences the SDK’s info and debug lines', async () => {
    const metricsPort = await freePort();
    const quiet = spawnNode('quiet-worker', [join(DIST, 'worker/main.js')], {
      ...baseEnv,
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: String(metricsPort),
    });
    running.push(quiet);
    // The fakes warning is the one line a quiet development worker prints; the SDK's state changes are info.
    await quiet.waitForLine(/"message":"order activities use in-memory fakes/, START_TIMEOUT_MS);
    // Ready means polling: the SDK has been through the state changes it logs at info; the stop adds more.
    await eventually(
      async () =>
        (
          await request(`http://127.0.0.1:${metricsPort}`)
            .get('/readyz')
            .catch(() => undefined)
        )?.status === 200
          ? true
          : undefined,
      10_000,
      'the quiet worker to be ready',
    );
    await quiet.stop('SIGTERM', 10_000);
    const levels = new Set(jsonLines(quiet.output()).map((line) => line.level));
    assert.deepEqual(
      [...levels].filter((level) => level !== 'warn' && level !== 'error'),
      [],
      quiet.output(),
    );
  });

  it('finishes a running heartbeating activity on SIGTERM while another replica takes over: the workflow completes', async () => {
    // A queue of their own: no worker of the other tests may pick the activity up.
    const ownQueue = { TEMPORAL_TASK_QUEUE: uniqueName('graceful-tq') };
    const first = await startWorker('worker-a', { ...ownQueue, WORKER_SHUTDOWN_GRACE_MS: '25000' });
    // One attempt only: without a grace period the activity would fail and so would the workflow.
    const handle = await env.client.workflow.start('ActivityTimeoutWorkflow', {
      taskQueue: ownQueue.TEMPORAL_TASK_QUEUE,
      workflowId: uniqueName('graceful'),
      args: [{ name: 'Grace', timeout: 'startToClose', timeoutMs: 60_000, activityDelayMs: 6_000, maximumAttempts: 1 }],
    });
    await eventually(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        return pending.some((activity) => activity.heartbeatDetails) ? true : undefined;
      },
      15_000,
      'the activity to heartbeat on worker-a',
    );
    await startWorker('worker-b', ownQueue);

    const stopped = await first.stop('SIGTERM', 40_000);
    assert.equal(stopped.code, 0, first.output());
    assert.equal(await handle.result(), 'Hello, Grace!');
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    assert.ok(events.some((event) => event.activityTaskCompletedEventAttributes));
    assert.ok(
      !events.some((event) => event.activityTaskFailedEventAttributes || event.activityTaskTimedOutEventAttributes),
    );
    // worker-a ran the activity to its end before it exited.
    const completedOnA = jsonLines(first.output()).some(
      (line) => line.message === 'Activity completed' && line.workflowId === handle.workflowId,
    );
    assert.ok(completedOnA, first.output());
  });

  it('refuses to start on in-memory fakes with NODE_ENV=production unless allowed, and says so', async () => {
    const refused = spawnNode('prod-worker', [join(DIST, 'worker/main.js')], { ...baseEnv, NODE_ENV: 'production' });
    running.push(refused);
    const code = await new Promise<number | null>((resolve) => refused.child.once('exit', resolve));
    assert.equal(code, 1, refused.output());
    assert.match(refused.output(), /ALLOW_FAKE_SERVICES_IN_PRODUCTION/);
    assert.doesNotMatch(refused.output(), /worker polling/);

    const allowed = await startWorker('demo-worker', {
      NODE_ENV: 'production',
      ALLOW_FAKE_SERVICES_IN_PRODUCTION: 'true',
    });
    assert.match(allowed.output(), /"level":"warn".*in-memory fakes|in-memory fakes.*"level":"warn"/);
  });
});
