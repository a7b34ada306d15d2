// What compose.yaml (production-like: Temporal's server on PostgreSQL) and compose.dev.yaml (Temporal's dev server)
// promise, read from the files. Their validity against the Compose Specification is checked by
// scripts/validate-deploy.sh (`npm run lint:deploy`, in .ci/run); no Docker engine runs here.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  DEV_SERVER_DYNAMIC_CONFIG,
  DEV_SERVER_SEARCH_ATTRIBUTES,
  devServerSettingsArgs,
} from '../scripts/temporal-dev-server';

const ROOT = resolve(__dirname, '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] };
  ports?: string[];
  volumes?: string[];
  container_name?: string;
  stop_grace_period?: string;
  deploy?: { replicas?: number };
}

const load = (file: string): Record<string, Service> =>
  (parse(readFileSync(join(ROOT, file), 'utf8'), { merge: true }) as { services: Record<string, Service> }).services;
const packageScripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const words = (script: string | undefined): string[] => (script ?? '').split(' ');
const seconds = (duration: string | undefined): number => Number(/^(\d+)s$/.exec(duration ?? '')?.[1] ?? NaN);
/** The worker's shutdown grace as the Kubernetes manifest sets it: one value for every deployment. */
const workerShutdownGraceMs = (): number => {
  const text = readFileSync(join(ROOT, 'deploy', 'k8s', 'base', 'worker-deployment.yaml'), 'utf8');
  return Number(/name: WORKER_SHUTDOWN_GRACE_MS\s+value: '(\d+)'/.exec(text)?.[1]);
};

/** What both compose files promise about the API and the workers. */
function checkApp(services: Record<string, Service>): void {
  const { api, worker } = services;
  assert.ok(api && worker);
  assert.equal(api.build, '.');
  assert.deepEqual(worker.build, api.build);
  assert.equal(worker.image, api.image, 'API and worker run the same image');
  assert.deepEqual(api.command, words(packageScripts['start:api']));
  assert.deepEqual(worker.command, words(packageScripts['start:worker']));
  assert.deepEqual(api.ports, ['3000:3000'], 'the API is the one public port');
  for (const name of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE'])
    assert.equal(worker.environment?.[name], api.environment?.[name], `API and workers agree on ${name}`);
  assert.equal(api.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
  // The API's metrics on their own port, on the compose network only: production does not serve them on 3000.
  assert.equal(api.environment?.API_METRICS_PORT, '9465');

  // `--scale worker=N`: no fixed container name, no host port, health on the worker's own metrics port.
  assert.equal(worker.container_name, undefined);
  assert.equal(worker.ports, undefined);
  assert.equal(worker.deploy?.replicas, 2);
  const metricsPort = worker.environment?.WORKER_METRICS_PORT;
  assert.equal(metricsPort, '9464');
  assert.match(worker.healthcheck?.test?.join(' ') ?? '', new RegExp(`127\\.0\\.0\\.1:${metricsPort}/healthz`));
  assert.ok(
    seconds(worker.stop_grace_period) * 1000 > workerShutdownGraceMs(),
    'docker stop waits longer than the worker lets activities finish',
  );

  for (const [name, service] of Object.entries(services)) {
    assert.equal(service.container_name, undefined, `${name}: no container_name (it would block scaling)`);
    if (name === 'api') continue;
    for (const port of service.ports ?? [])
      assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port} locally only`);
  }
}

describe('compose.yaml: Temporal server on PostgreSQL, Web UI, API and workers', () => {
  const services = load('compose.yaml');
  const { postgresql, temporal, api, worker } = services;
  const schema = services['temporal-schema'];
  const namespace = services['temporal-namespace'];
  const ui = services['temporal-ui'];

  it('runs API and workers from this repository, scalable, with only the API public', () => checkApp(services));

  it("runs Temporal's own server image on PostgreSQL, after admin-tools has set up the schema", () => {
    assert.ok(postgresql && temporal && schema && namespace && ui);
    assert.match(postgresql.image ?? '', /^postgres:\d+$/);
    assert.equal(postgresql.ports, undefined, 'PostgreSQL is not published');
    const version = /^temporalio\/server:(\d+\.\d+\.\d+)$/.exec(temporal.image ?? '')?.[1];
    assert.ok(version, temporal.image);
    assert.equal(schema.image, `temporalio/admin-tools:${version}`, 'the schema matches the server release');
    assert.equal(namespace.image, schema.image);
    assert.equal(temporal.environment?.DB, 'postgres12');
    assert.equal(temporal.environment?.POSTGRES_SEEDS, 'postgresql');
    assert.deepEqual(temporal.depends_on, { 'temporal-schema': { condition: 'service_completed_successfully' } });
    assert.deepEqual(schema.depends_on, { postgresql: { condition: 'service_healthy' } });
    assert.deepEqual(temporal.ports, ['127.0.0.1:7233:7233']);
    assert.ok(temporal.healthcheck?.test?.length);
    assert.match(ui.image ?? '', /^temporalio\/ui:\d+\.\d+\.\d+$/);
    assert.equal(ui.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
    for (const service of [api, worker])
      assert.deepEqual(service?.depends_on, { 'temporal-namespace': { condition: 'service_completed_successfully' } });
  });

  it('runs set-up scripts that exist, and registers the namespace and search attributes the service uses', () => {
    for (const job of [schema, namespace]) {
      assert.deepEqual(job?.volumes, ['./deploy/compose:/deploy:ro']);
      const script = job?.entrypoint?.at(-1) ?? '';
      assert.match(script, /^\/deploy\/[\w-]+\.sh$/);
      assert.ok(existsSync(join(ROOT, 'deploy', 'compose', script.slice('/deploy/'.length))), script);
    }
    assert.equal(namespace?.environment?.TEMPORAL_NAMESPACE, api?.environment?.TEMPORAL_NAMESPACE);
    const attributes = Object.entries(DEV_SERVER_SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`);
    assert.deepEqual(
      (namespace?.environment?.SEARCH_ATTRIBUTES ?? '').split(/\s+/).filter(Boolean),
      attributes,
      'the same search attributes as the dev server (DEV_SERVER_SEARCH_ATTRIBUTES)',
    );
  });
  it("gives the server the dev server's settings that are not about one host (the file npm run cluster copies)", () => {
    assert.equal(temporal?.environment?.DYNAMIC_CONFIG_FILE_PATH, '/deploy/dynamic-config.yaml');
    assert.ok(temporal?.volumes?.includes('./deploy/compose:/deploy:ro'));
    const file = parse(readFileSync(join(ROOT, 'deploy', 'compose', 'dynamic-config.yaml'), 'utf8')) as Record<
      string,
      { value: unknown; constraints: object }[]
    >;
    const clusterWide = [
      'matching.enableFairness',
      'system.enableActivityEagerExecution',
      'history.MaxBufferedQueryCount',
    ];
    assert.deepEqual(Object.keys(file).sort(), [...clusterWide].sort());
    for (const key of clusterWide)
      assert.deepEqual(file[key], [{ value: DEV_SERVER_DYNAMIC_CONFIG[key], constraints: {} }]);
  });
});

describe("compose.dev.yaml: Temporal's dev server, API and workers", () => {
  const services = load('compose.dev.yaml');

  it('runs API and workers as compose.yaml does', () => checkApp(services));

  it("starts the dev server with exactly devServerSettingsArgs()'s flags", () => {
    const { temporal } = services;
    assert.match(temporal?.image ?? '', /^temporalio\/temporal:\d+\.\d+\.\d+$/);
    const command = temporal?.command ?? [];
    assert.deepEqual(command.slice(0, 4), ['server', 'start-dev', '--ip', '0.0.0.0']);
    assert.deepEqual(command.slice(4), devServerSettingsArgs());
    assert.deepEqual(temporal?.ports, ['127.0.0.1:7233:7233', '127.0.0.1:8233:8233']);
  });
});
