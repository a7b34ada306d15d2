import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { childEnv } from '../common/config';
import {
  childProcesses,
  eventually,
  portIsClosed,
  processesWithEnvContaining,
  spawnWatched,
  type Watched,
} from './helpers/process-checks';
import { freePort } from './helpers/processes';
import { startTestServer, uniqueName } from './helpers/temporal';

const ROOT = resolve(__dirname, '..');
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;

/** `npm run dev` in its own process group, as a terminal runs it, with ports and state of its own. */
function startDev(
  ports: DevPorts,
  stateDir: string,
  options: { args?: string[]; temporalAddress?: string } = {},
): Watched {
  const args = options.args ?? [];
  return spawnWatched('npm', ['run', 'dev', ...(args.length ? ['--', ...args] : [])], {
    cwd: ROOT,
    detached: true,
    env: childEnv({
      PORT: String(ports.api),
      DEV_TEMPORAL_PORT: String(ports.temporal),
      DEV_TEMPORAL_UI_PORT: String(ports.ui),
      // Unique per test: also the marker that finds any process this test's dev left behind.
      DEV_TEMPORAL_DB_FILENAME: join(stateDir, 'dev.sqlite'),
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: undefined,
      TEMPORAL_TASK_QUEUE: uniqueName('dev-tq'),
      NO_COLOR: '1',
    }),
  });
}

type DevPorts = { api: number; temporal: number; ui: number };

/**
 * Free ports for the dev runner's API, Temporal server and Web UI. The runner binds the ports it is given (a developer
 * names them), so a port picked free may be taken before it starts: startedDev picks again when the runner says so.
 */
async function devPorts(): Promise<DevPorts> {
  return { api: await freePort(), temporal: await freePort(), ui: await freePort() };
}
const PORT_TAKEN = /port \d+ \(\w+\) is in use by/;

/** Runs YourWorkflow through the dev API's REST route and asserts its greeting. */
async function executeYourWorkflow(apiPort: number, name: string): Promise<void> {
  const workflowId = uniqueName('dev-wf');
  const response = await fetch(`http://localhost:${apiPort}/api/workflows/YourWorkflow/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: name, workflowId }),
  });
  const outcome = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, 200, JSON.stringify(outcome));
  assert.equal(outcome.status, 'COMPLETED');
  assert.equal(outcome.result, `Hello, ${name}!`);
  assert.equal(outcome.workflowId, workflowId);
}

async function listen(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((done) => server.listen(port, '0.0.0.0', done));
  return server;
}

describe('npm run dev', { timeout: 2 * START_TIMEOUT_MS }, () => {
  const stateDirs: string[] = [];
  const newStateDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-test-'));
    stateDirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of stateDirs) {
      // Whatever a failed test left running must not outlive the file.
      for (const pid of processesWithEnvContaining(dir)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** `npm run dev` on free ports and a new state folder, once it has started: its ports, state, process and output. */
  async function startedDev(
    options: { args?: string[]; temporalAddress?: string } = {},
  ): Promise<{ ports: DevPorts; stateDir: string; dev: Watched; output: string }> {
    for (let attempt = 1; ; attempt++) {
      const ports = await devPorts();
      const stateDir = newStateDir();
      const dev = startDev(ports, stateDir, options);
      try {
        const output = await dev.waitFor(/Task queue\s+dev-tq-/, START_TIMEOUT_MS);
        return { ports, stateDir, dev, output };
      } catch (error) {
        // Another process took a picked port between the pick and the runner's bind: pick again.
        if (attempt === 3 || !PORT_TAKEN.test(dev.output())) throw error;
      }
    }
  }

  it('runs Temporal, a worker and the API, serves YourWorkflow, and stops all of it on Ctrl-C', async () => {
    const { ports, stateDir, dev, output } = await startedDev();
    const api = `http://localhost:${ports.api}`;
    for (const url of [
      `${api}/`,
      api,
      `${api}/docs`,
      `${api}/openapi.json`,
      `${api}/trpc`,
      `http://localhost:${ports.ui}`,
    ])
      assert.match(output, new RegExp(`\\s${url.replaceAll('.', '\\.')}\\n`), `prints ${url}`);
    assert.match(output, new RegExp(`Temporal\\s+127\\.0\\.0\\.1:${ports.temporal} `));

    await executeYourWorkflow(ports.api, 'Dev');
    const page = await fetch(`${api}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Temporal HTTP console<\/title>/, 'serves the web console at /');

    // What a terminal's Ctrl-C does: SIGINT to every process of the foreground group.
    process.kill(-(dev.child.pid ?? 0), 'SIGINT');
    assert.equal(await dev.exited(STOP_TIMEOUT_MS), 0, dev.output());
    assert.match(dev.output(), /temporal stopped/);
    for (const port of Object.values(ports)) assert.ok(await portIsClosed(port), `nothing listens on ${port}`);
    assert.deepEqual(processesWithEnvContaining(stateDir), [], 'no process of this dev run is left');
  });

  it('stops all of it on SIGTERM to npm alone, as a process manager sends it', async () => {
    const { ports, stateDir, dev } = await startedDev();

    dev.child.kill('SIGTERM');
    assert.equal(await dev.exited(STOP_TIMEOUT_MS), 0, dev.output());
    for (const port of Object.values(ports)) assert.ok(await portIsClosed(port), `nothing listens on ${port}`);
    assert.deepEqual(processesWithEnvContaining(stateDir), [], 'no process of this dev run is left');
  });

  it('uses the server TEMPORAL_ADDRESS names, starts none, and leaves it running', async () => {
    const server = await startTestServer();
    try {
      const { ports, stateDir, dev, output } = await startedDev({ temporalAddress: server.address });
      assert.match(output, new RegExp(`Temporal\\s+${server.address.replaceAll('.', '\\.')} .*started none`));
      assert.doesNotMatch(output, /^temporal /m, 'no dev server of its own');
      assert.doesNotMatch(output, /Web UI/);
      await executeYourWorkflow(ports.api, 'External');

      dev.child.kill('SIGTERM');
      assert.equal(await dev.exited(STOP_TIMEOUT_MS), 0, dev.output());
      assert.deepEqual(processesWithEnvContaining(stateDir), [], 'no process of this dev run is left');
      await server.connection.workflowService.getSystemInfo({});
    } finally {
      await server.teardown();
    }
  });

  it('stops the rest and exits non-zero when a process dies (--no-watch)', async () => {
    const ports = await devPorts();
    const stateDir = newStateDir();
    const occupied = await listen(ports.api);
    try {
      const dev = startDev(ports, stateDir, { args: ['--no-watch'] });
      assert.equal(await dev.exited(START_TIMEOUT_MS), 1, dev.output());
      assert.match(dev.output(), /api exited unexpectedly \(.+\); stopping the rest/);
      assert.match(dev.output(), /worker stopped/);
      assert.match(dev.output(), /temporal stopped/);
      assert.ok(await portIsClosed(ports.temporal), 'the Temporal server is stopped');
      assert.deepEqual(processesWithEnvContaining(stateDir), [], 'no process of this dev run is left');
    } finally {
      occupied.close();
    }
  });

  it('leaves no process behind when the runner itself is killed with SIGKILL', async () => {
    const { ports, stateDir, dev } = await startedDev();
    // npm runs the script through `sh -c 'exec node …'`: the runner is npm's child.
    const runner = childProcesses(dev.child.pid ?? 0).find(({ command }) => command.includes('scripts/dev.ts'));
    assert.ok(runner, `the runner is npm's child: ${JSON.stringify(childProcesses(dev.child.pid ?? 0))}`);
    assert.ok(processesWithEnvContaining(stateDir).length >= 4, 'runner, temporal, worker and API run');

    // What the tsx CLI did to the runner when it was killed under load: no handler of the runner's runs.
    process.kill(runner.pid, 'SIGKILL');
    const noneLeft = await eventually(() => processesWithEnvContaining(stateDir).length === 0, STOP_TIMEOUT_MS);
    assert.ok(noneLeft, `left running: ${JSON.stringify(processesWithEnvContaining(stateDir))}\n${dev.output()}`);
    for (const port of Object.values(ports)) assert.ok(await portIsClosed(port), `nothing listens on ${port}`);
    assert.match(dev.output(), /the dev runner ended without stopping its processes; stopping temporal \(pid \d+\)/);
    assert.notEqual(await dev.exited(STOP_TIMEOUT_MS), 0, 'npm reports its script killed');
  });

  it('stops all of it when npm itself is killed with SIGKILL (nothing relays a signal)', async () => {
    const { ports, stateDir, dev } = await startedDev();

    dev.child.kill('SIGKILL');
    const noneLeft = await eventually(() => processesWithEnvContaining(stateDir).length === 0, STOP_TIMEOUT_MS);
    assert.ok(noneLeft, `left running: ${JSON.stringify(processesWithEnvContaining(stateDir))}\n${dev.output()}`);
    assert.match(dev.output(), /parent process \d+ is gone; stopping/);
    assert.match(dev.output(), /temporal stopped/);
    for (const port of Object.values(ports)) assert.ok(await portIsClosed(port), `nothing listens on ${port}`);
  });

  it('names what holds the Temporal port (a dev server left by an earlier run) in one line, and starts nothing', async () => {
    const ports = await devPorts();
    const stateDir = newStateDir();
    const occupied = await listen(ports.temporal);
    try {
      const dev = startDev(ports, stateDir);
      assert.equal(await dev.exited(START_TIMEOUT_MS), 1, dev.output());
      const lines = dev
        .output()
        .split('\n')
        .filter((line) => line.startsWith('dev '));
      const named = lines.filter((line) => line.includes(`port ${ports.temporal} (DEV_TEMPORAL_PORT) is in use by`));
      assert.equal(named.length, 1, dev.output());
      // This test's own process holds the port.
      assert.match(named[0] ?? '', new RegExp(`in use by pid ${process.pid} \\(\\S*node `));
      assert.doesNotMatch(dev.output(), /^(temporal|worker|api) /m, 'starts no process');
      assert.deepEqual(processesWithEnvContaining(stateDir), [], 'no process of this dev run is left');
    } finally {
      occupied.close();
    }
  });
});
