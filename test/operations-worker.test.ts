import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { listeningPort, spawnNode, workerMetricsPort, type RunningProcess } from './helpers/processes';
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

/** A TCP gate in front of `target`: it holds every connection until open() is called, then forwards them all. */
async function startGate(target: string): Promise<{ address: string; held(): number; open(): void; close(): void }> {
  const [host, port] = target.split(':') as [string, string];
  const parked: Socket[] = [];
  const sockets = new Set<Socket>();
  let opened = false;
  const forward = (client: Socket): void => {
    const upstream = connect(Number(port), host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };
  const server = createServer((client) => {
    if (opened) forward(client);
    else {
      client.pause();
      client.on('error', () => undefined);
      parked.push(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: () => parked.length,
    open() {
      opened = true;
      for (const client of parked.splice(0)) {
        forward(client);
        client.resume();
      }
    },
    close() {
      server.close();
      for (const socket of [...sockets, ...parked]) socket.destroy();
    },
  };
}

describe('operations: the built worker process (logs, probes, metrics, graceful shutdown, services)', () => {
  let env: TestWorkflowEnvironment;
  let baseEnv: Record<string, string>;
  const running: RunningProcess[] = [];
  const closers: (() => void)[] = [];
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
    for (const close of closers) close();
    await env?.teardown();
  });

  it('serves /healthz, /readyz and the SDK’s Prometheus metrics on WORKER_METRICS_PORT; the request id reaches its log lines', async () => {
    const worker = await startWorker('worker', { WORKER_METRICS_PORT: '0' });
    const metricsPort = workerMetricsPort(await worker.waitForLine(/"message":"worker polling"/, 0));
    const api = spawnNode('api', [join(DIST, 'api/main.js')], { ...baseEnv, PORT: '0', LOG_LEVEL: 'info' });
    running.push(api);
    const apiPort = listeningPort(await api.waitForLine(/"message":"api listening"/, START_TIMEOUT_MS));

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
    // A queue of its own, so that the pollers Temporal lists on it are the quiet worker's.
    const quietQueue = uniqueName('quiet-tq');
    const quiet = spawnNode('quiet-worker', [join(DIST, 'worker/main.js')], {
      ...baseEnv,
      LOG_LEVEL: 'warn',
      TEMPORAL_TASK_QUEUE: quietQueue,
    });
    running.push(quiet);
    // The fakes warning is the one line a quiet development worker prints; the SDK's state changes are info.
    await quiet.waitForLine(/"message":"order activities use in-memory fakes/, START_TIMEOUT_MS);
    // Polling: the SDK has been through the state changes it logs at info; the stop adds more.
    await eventually(
      async () => {
        const { pollers } = await env.client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: quietQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return pollers.length > 0 ? true : undefined;
      },
      10_000,
      'the quiet worker to poll',
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

  it('answers /readyz 503 while the worker connects, 200 once it polls, 503 as soon as it drains on SIGTERM', async () => {
    // Temporal behind a gate the test opens: until then the worker's connection waits, and the worker is starting.
    const gate = await startGate(env.address);
    closers.push(gate.close);
    const ownQueue = uniqueName('readyz-tq');
    const worker = spawnNode('gated-worker', [join(DIST, 'worker/main.js')], {
      ...baseEnv,
      TEMPORAL_ADDRESS: gate.address,
      TEMPORAL_TASK_QUEUE: ownQueue,
      WORKER_METRICS_PORT: '0',
      WORKER_SHUTDOWN_GRACE_MS: '20000',
    });
    running.push(worker);
    const ops = `http://127.0.0.1:${workerMetricsPort(await worker.waitForLine(/"message":"worker starting"/, START_TIMEOUT_MS))}`;
    try {
      await eventually(async () => (gate.held() > 0 ? true : undefined), START_TIMEOUT_MS, 'the worker to connect');
      const starting = await request(ops).get('/readyz').expect(503);
      assert.deepEqual(starting.body, { status: 'not ready', state: 'STARTING' });
      await request(ops).get('/healthz').expect(200);
      assert.doesNotMatch(worker.output(), /worker polling/);
    } finally {
      gate.open();
    }
    await worker.waitForLine(/"message":"worker polling"/, START_TIMEOUT_MS);
    await eventually(
      async () => ((await request(ops).get('/readyz')).status === 200 ? true : undefined),
      10_000,
      'ready',
    );

    // An activity in flight keeps the worker draining for seconds after SIGTERM: /readyz says so meanwhile.
    const handle = await env.client.workflow.start('ActivityTimeoutWorkflow', {
      taskQueue: ownQueue,
      workflowId: uniqueName('readyz-drain'),
      args: [{ name: 'Drain', timeout: 'startToClose', timeoutMs: 60_000, activityDelayMs: 4_000, maximumAttempts: 1 }],
    });
    await eventually(
      async () => ((await handle.describe()).raw.pendingActivities ?? []).some((a) => a.heartbeatDetails) || undefined,
      15_000,
      'the activity to heartbeat',
    );
    const stopping = worker.stop('SIGTERM', 30_000);
    const draining = await eventually(
      async () => {
        const answer = await request(ops).get('/readyz');
        return answer.status === 503 ? answer.body : undefined;
      },
      3_000,
      '/readyz to fail once the worker drains',
    );
    assert.equal(draining.status, 'not ready');
    assert.notEqual(draining.state, 'RUNNING');
    const stopped = await stopping;
    assert.equal(stopped.code, 0, worker.output());
    // No replica is left to finish the workflow; the draining worker did finish its activity.
    const events = (await handle.fetchHistory()).events ?? [];
    assert.ok(events.some((event) => event.activityTaskCompletedEventAttributes));
  });

  it('cancels a running activity when WORKER_SHUTDOWN_GRACE_MS runs out, and exits soon after', async () => {
    const ownQueue = uniqueName('grace-out-tq');
    const graceMs = 1_000;
    const worker = await startWorker('short-grace-worker', {
      TEMPORAL_TASK_QUEUE: ownQueue,
      WORKER_SHUTDOWN_GRACE_MS: String(graceMs),
    });
    // One attempt that would take a minute: only the shutdown can end it early.
    const handle = await env.client.workflow.start('ActivityTimeoutWorkflow', {
      taskQueue: ownQueue,
      workflowId: uniqueName('grace-out'),
      args: [
        { name: 'Late', timeout: 'startToClose', timeoutMs: 120_000, activityDelayMs: 60_000, maximumAttempts: 1 },
      ],
    });
    await eventually(
      async () => ((await handle.describe()).raw.pendingActivities ?? []).some((a) => a.heartbeatDetails) || undefined,
      15_000,
      'the activity to heartbeat',
    );
    const stopped = await worker.stop('SIGTERM', 30_000);
    assert.equal(stopped.code, 0, worker.output());
    assert.ok(stopped.elapsedMs < graceMs + 5_000, `the worker took ${stopped.elapsedMs} ms to exit`);
    // The activity saw the cancellation: its attempt ended early, as a failure, and no completion is recorded.
    const events = (await handle.fetchHistory()).events ?? [];
    const failed = events.find((event) => event.activityTaskFailedEventAttributes);
    assert.ok(failed, JSON.stringify(events.map((event) => event.eventType)));
    assert.ok(!events.some((event) => event.activityTaskCompletedEventAttributes));
    assert.equal(failed.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type, 'WorkerShutdown');
    const ended = jsonLines(worker.output()).filter((line) => line.workflowId === handle.workflowId);
    assert.ok(
      ended.some((line) => line.message === 'Activity completed as cancelled'),
      ended.map((line) => line.message).join('\n'),
    );
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
