import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePortBlock } from '../scripts/cluster/ports';
import {
  assignPorts,
  HISTORY_SHARDS,
  PORTS_PER_CLUSTER,
  SERVICES,
  serverConfig,
} from '../scripts/cluster/server-config';

const ROOT = join(__dirname, '..');

describe('npm run cluster: one Temporal release, a config that runs one service per process', () => {
  it('scripts/temporal-server.sh builds the release compose.yaml runs (server and admin-tools)', () => {
    const script = execFileSync('bash', [join(ROOT, 'scripts', 'temporal-server.sh'), '--version'], {
      encoding: 'utf8',
    }).trim();
    const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as {
      'x-temporal-images': { server: string; 'admin-tools': string };
    };
    assert.equal(compose['x-temporal-images'].server, `temporalio/server:${script}`);
    assert.equal(compose['x-temporal-images']['admin-tools'], `temporalio/admin-tools:${script}`);
    // deploy/k8s runs the service against a Temporal of the operator's (TEMPORAL_ADDRESS); any Temporal image or
    // release it names must be the same one.
    const k8sFiles = readdirSync(join(ROOT, 'deploy', 'k8s'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => readFileSync(join(ROOT, 'deploy', 'k8s', file), 'utf8'));
    for (const text of k8sFiles) {
      for (const match of text.matchAll(/temporalio\/(?:server|admin-tools|auto-setup):([\w.-]+)/g)) {
        assert.equal(match[1], script);
      }
    }
    assert.ok(k8sFiles.length > 0);
  });

  it('every port below 32768, every service its own metrics and pprof port, at least 4 history shards', async () => {
    const ports = assignPorts(await freePortBlock(PORTS_PER_CLUSTER));
    const all = SERVICES.flatMap((service) => Object.values(ports[service]));
    assert.equal(new Set(all).size, PORTS_PER_CLUSTER, 'no port used twice');
    assert.ok(
      all.every((port) => port !== undefined && port < 32_768),
      all.join(' '),
    );
    const configs = SERVICES.map(
      (service) =>
        JSON.parse(
          serverConfig({
            service,
            ports,
            postgres: { port: 5432, user: 'u', password: 'p' },
            logLevel: 'warn',
            dynamicConfigFile: '/dev/null',
          }),
        ) as {
          global: { metrics: { prometheus: { listenAddress: string } }; pprof: { port: number } };
          persistence: { numHistoryShards: number; visibilityStore: string };
        },
    );
    assert.equal(new Set(configs.map((config) => config.global.metrics.prometheus.listenAddress)).size, 4);
    assert.equal(new Set(configs.map((config) => config.global.pprof.port)).size, 4);
    assert.ok(HISTORY_SHARDS >= 4);
    for (const config of configs) {
      assert.equal(config.persistence.numHistoryShards, HISTORY_SHARDS);
      assert.equal(config.persistence.visibilityStore, 'postgres-visibility');
    }
  });
});
