import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchEntryArgs } from './entry';
import { childEnv, freePort, waitForHttp, type ProcessGroup, type Service } from './processes';

export interface RestatePeer {
  server: Service;
  greeter: Service;
  /** POST here with a JSON name to run the greeting and get its result. */
  greetUrl: string;
  version: string;
}

/** The restate-server binary that @restatedev/restate-server installs through its per-platform optional package. */
export function restateServerBinary(): string {
  return require.resolve(`@restatedev/restate-server-${process.platform}-${process.arch}/bin/restate-server`);
}

/** Starts a single-node Restate server (its defaults, data under `dataDir`) and the greeter, and registers it. */
export async function startRestate(group: ProcessGroup, dataDir: string): Promise<RestatePeer> {
  const binary = restateServerBinary();
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  const [ingress, admin, node, greeterPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env = childEnv({
    RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingress}`,
    RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${admin}`,
    RESTATE_BIND_ADDRESS: `127.0.0.1:${node}`,
    RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${node}`,
    RESTATE_DISABLE_TELEMETRY: 'true',
    RESTATE_LOG_FILTER: 'warn',
  });
  const args = ['--no-logo', '--listen-mode', 'tcp', '--base-dir', join(dataDir, 'restate-data')];
  const server = group.start('restate-server', binary, args, env);
  const adminUrl = `http://127.0.0.1:${admin}`;
  await waitForHttp(`${adminUrl}/health`, 60_000);
  await waitForHttp(`http://127.0.0.1:${ingress}/restate/health`, 60_000);

  const greeter = group.start(
    'restate-greeter',
    process.execPath,
    benchEntryArgs('restate-greeter', [String(greeterPort)]),
    childEnv({}),
  );
  await registerDeployment(adminUrl, `http://127.0.0.1:${greeterPort}`);
  return { server, greeter, greetUrl: `http://127.0.0.1:${ingress}/Greeter/greet`, version };
}

/** Registers the greeter's endpoint with the admin API, retrying while the endpoint is still starting. */
async function registerDeployment(adminUrl: string, uri: string): Promise<void> {
  let lastError = '';
  for (let attempt = 0; attempt < 60; attempt += 1) {
    try {
      const response = await fetch(`${adminUrl}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri }),
      });
      if (response.ok) return;
      lastError = `${response.status} ${await response.text()}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(`could not register the Restate greeter at ${uri}: ${lastError}`);
}
