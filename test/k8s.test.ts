// What the Kubernetes manifests (deploy/k8s/base; the production overlay patches sizes only) promise, read from the
// files: probes where the processes serve them, a termination grace that covers the worker's shutdown grace, the
// KEDA scaler reading the same Temporal settings as the worker. Schema validity (kubeconform, with KEDA's CRD) and
// `kustomize build` run in scripts/validate-deploy.sh (`npm run lint:deploy`, in .ci/run).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '..');
const BASE = join(ROOT, 'deploy', 'k8s', 'base');

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}
interface DeploymentSpec {
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: { terminationGracePeriodSeconds?: number; containers: Container[] };
  };
}

const kustomization = parseAllDocuments(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as {
  resources: string[];
  configMapGenerator: { name: string; literals: string[] }[];
  images: { name: string }[];
};
const resources: Resource[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(BASE, file), 'utf8')).map((document) => document.toJS() as Resource),
);
const find = (kind: string, name: string): Resource => {
  const resource = resources.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  assert.ok(resource, `${kind} ${name}`);
  return resource;
};
const deployment = (name: string): DeploymentSpec => find('Deployment', name).spec as unknown as DeploymentSpec;
const onlyContainer = (spec: DeploymentSpec): Container => {
  assert.equal(spec.template.spec.containers.length, 1);
  const [container] = spec.template.spec.containers;
  assert.ok(container);
  return container;
};
const envValue = (container: Container, name: string): string | undefined =>
  container.env?.find((variable) => variable.name === name)?.value;
const portNumber = (container: Container, port: string | number | undefined): number | undefined =>
  typeof port === 'number' ? port : container.ports?.find((candidate) => candidate.name === port)?.containerPort;
const packageScripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const config = kustomization.configMapGenerator.find((generator) => generator.name === 'temporal-http-config');
const configValues = Object.fromEntries(
  (config?.literals ?? []).map((literal) => [
    literal.slice(0, literal.indexOf('=')),
    literal.slice(literal.indexOf('=') + 1),
  ]),
);

describe('Kubernetes manifests (deploy/k8s/base)', () => {
  const api = deployment('temporal-http-api');
  const worker = deployment('temporal-http-worker');
  const apiContainer = onlyContainer(api);
  const workerContainer = onlyContainer(worker);

  it('lists every manifest in the kustomization', () => {
    const files = readdirSync(BASE).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    assert.deepEqual([...kustomization.resources].sort(), files.sort());
  });

  it('runs API and worker from the one image with the package.json start commands and the shared config', () => {
    const image = kustomization.images[0]?.name;
    for (const container of [apiContainer, workerContainer]) {
      assert.equal(container.image, image);
      assert.ok(container.envFrom?.some((source) => source.configMapRef?.name === 'temporal-http-config'));
      assert.ok(
        container.resources?.requests?.cpu && container.resources.requests.memory,
        `${container.name} requests`,
      );
      assert.ok(container.resources?.limits?.memory, `${container.name} has a memory limit`);
    }
    assert.deepEqual(apiContainer.command, packageScripts['start:api']?.split(' '));
    assert.deepEqual(workerContainer.command, packageScripts['start:worker']?.split(' '));
    assert.equal(configValues.NODE_ENV, 'production');
    for (const name of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE']) assert.ok(configValues[name]);
  });

  it('probes the API on /healthz and /readyz at the port it listens on, behind a Service', () => {
    const port = Number(envValue(apiContainer, 'PORT'));
    assert.equal(portNumber(apiContainer, apiContainer.readinessProbe?.httpGet?.port), port);
    assert.equal(portNumber(apiContainer, apiContainer.livenessProbe?.httpGet?.port), port);
    assert.equal(apiContainer.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(apiContainer.livenessProbe?.httpGet?.path, '/healthz');
    const service = find('Service', 'temporal-http-api').spec as {
      selector: Record<string, string>;
      ports: { targetPort: string | number }[];
    };
    assert.equal(portNumber(apiContainer, service.ports[0]?.targetPort), port);
    assert.deepEqual(service.selector, api.selector.matchLabels);
  });

  it("scrapes the API's metrics on API_METRICS_PORT, a port the Service does not expose", () => {
    const port = Number(envValue(apiContainer, 'API_METRICS_PORT'));
    assert.equal(port, 9465);
    assert.notEqual(port, Number(envValue(apiContainer, 'PORT')));
    const annotations = (api.template.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    assert.equal(annotations['prometheus.io/port'], String(port));
    assert.equal(annotations['prometheus.io/path'], '/metrics');
    const service = find('Service', 'temporal-http-api').spec as { ports: { targetPort: string | number }[] };
    for (const exposed of service.ports) assert.notEqual(portNumber(apiContainer, exposed.targetPort), port);
  });

  it('probes the worker on its metrics port (/healthz, and /readyz once polling)', () => {
    const port = Number(envValue(workerContainer, 'WORKER_METRICS_PORT'));
    assert.equal(port, 9464);
    for (const probe of [workerContainer.startupProbe, workerContainer.readinessProbe, workerContainer.livenessProbe])
      assert.equal(portNumber(workerContainer, probe?.httpGet?.port), port);
    assert.equal(workerContainer.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(workerContainer.livenessProbe?.httpGet?.path, '/healthz');
  });

  it('gives a stopping worker more time than its shutdown grace, so activities finish before SIGKILL', () => {
    const graceMs = Number(envValue(workerContainer, 'WORKER_SHUTDOWN_GRACE_MS'));
    assert.equal(graceMs, 25_000);
    const terminationMs = (worker.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    assert.ok(terminationMs >= graceMs + 5_000, `${terminationMs} ms covers ${graceMs} ms and the exit after it`);
  });

  it('keeps API and workers available through disruptions, and scales the API on CPU', () => {
    for (const [name, spec] of [
      ['temporal-http-api', api],
      ['temporal-http-worker', worker],
    ] as const) {
      const pdb = find('PodDisruptionBudget', name).spec as { selector: { matchLabels: Record<string, string> } };
      assert.deepEqual(pdb.selector.matchLabels, spec.selector.matchLabels);
      for (const [label, value] of Object.entries(spec.selector.matchLabels))
        assert.equal(spec.template.metadata.labels[label], value, `${name}'s pods carry ${label}`);
    }
    const hpa = find('HorizontalPodAutoscaler', 'temporal-http-api').spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
    };
    assert.deepEqual(hpa.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'temporal-http-api' });
    assert.ok(hpa.minReplicas >= 2);
  });

  it("scales workers with KEDA's temporal scaler on the task queue's backlog, read from the worker's own settings", () => {
    const scaled = find('ScaledObject', 'temporal-http-worker');
    assert.equal(scaled.apiVersion, 'keda.sh/v1alpha1');
    const spec = scaled.spec as {
      scaleTargetRef: { name: string };
      minReplicaCount: number;
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    assert.equal(spec.scaleTargetRef.name, 'temporal-http-worker');
    assert.ok(spec.minReplicaCount >= 2, 'at least two workers, so one can stop while the other polls');
    const [trigger] = spec.triggers;
    assert.equal(trigger?.type, 'temporal');
    // KEDA resolves *FromEnv from the target container's env and envFrom: the ConfigMap both processes read.
    assert.deepEqual(
      [trigger?.metadata.endpointFromEnv, trigger?.metadata.namespaceFromEnv, trigger?.metadata.taskQueueFromEnv],
      ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE'],
    );
    for (const name of ['endpoint', 'namespace', 'taskQueue'])
      assert.equal(trigger?.metadata[name], undefined, `${name} is not restated`);
    assert.ok(Number(trigger?.metadata.targetQueueSize) > 0);
  });
});
