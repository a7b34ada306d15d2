// `npm run dev`: Temporal dev server (unless TEMPORAL_ADDRESS is set), one worker and the API in one terminal.
// Ctrl-C or SIGTERM stops everything and exits 0; a process dying on its own stops the rest and exits 1.
// `npm run dev -- --no-watch` runs worker and API without restart-on-save (then a crash stops everything).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { childEnv, exitOnConfigError, loadDevConfig, type DevConfig } from '../common/config';
import { authSummary } from '../api/auth/summary';
import { buildConsole, stopConsoleBuilds, watchConsole } from './build-console';
import { startChild, type DevChild, type Exit } from './dev/child';
import { startGuard, type Guard } from './dev/guard';
import { printLine } from './dev/output';
import { watchParent } from './dev/parent';
import { describePortOwner, portInUse } from './dev/port-owner';
import { devServerSettingsArgs } from './temporal-dev-server';
import { httpAnswers, temporalAnswers, waitUntil } from './dev/wait';

const ROOT = resolve(__dirname, '..');
const TEMPORAL_CLI_SCRIPT = resolve(ROOT, 'scripts', 'temporal-cli.sh');
const TSX_CLI = require.resolve('tsx/cli');
const TEMPORAL_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const GUARD_CLOSE_TIMEOUT_MS = 5_000;

const say = (line: string): void => printLine('dev', line);

const describeExit = (exit: Exit): string => (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`);

/** Starts processes in layers and stops them in reverse: the apps first, the Temporal server last. */
class Supervisor {
  private readonly layers: DevChild[][] = [];
  private stopping: Promise<void> | undefined;

  /** `guard` stops the children should this process die before it can (SIGKILL skips every handler here). */
  constructor(private readonly guard: Guard) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  start(
    layer: number,
    name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    onLine: (line: string) => void = noop,
  ): void {
    if (this.stopping) return;
    const child = startChild(name, command, args, {
      cwd: ROOT,
      env,
      onLine: (line) => {
        printLine(name, line);
        onLine(line);
      },
    });
    (this.layers[layer] ??= []).push(child);
    if (child.pid !== undefined) this.guard.adopt(child.pid, name);
    void child.exited.then((exit) => {
      if (this.stopping) return;
      say(`${name} exited unexpectedly (${describeExit(exit)}); stopping the rest`);
      void this.stopAll(1);
    });
  }

  /** Stops everything (once, whoever asks) and exits with `code`. */
  stopAll(code: number): Promise<void> {
    this.stopping ??= (async () => {
      for (const layer of [...this.layers].reverse()) {
        await Promise.all(
          (layer ?? []).map(async (child) => {
            const exit = await child.stop('SIGTERM', STOP_GRACE_MS);
            if (child.pid !== undefined) this.guard.release(child.pid);
            say(`${child.name} stopped (${describeExit(exit)})`);
          }),
        );
      }
      await stopConsoleBuilds();
      await this.guard.close(GUARD_CLOSE_TIMEOUT_MS);
      process.exit(code);
    })();
    return this.stopping;
  }

  /** Last resort when this process itself dies: no process group outlives it. */
  killAll(): void {
    for (const child of this.layers.flat()) child.kill();
  }
}

function noop(): void {}

/** The temporal CLI, obtained once per machine by scripts/temporal-cli.sh (progress on stderr). */
function temporalCli(): string {
  return execFileSync('bash', [TEMPORAL_CLI_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function startTemporal(supervisor: Supervisor, config: DevConfig): void {
  const dbFilename = resolve(ROOT, config.DEV_TEMPORAL_DB_FILENAME);
  mkdirSync(dirname(dbFilename), { recursive: true });
  // File-backed SQLite: workflows survive a restart of `npm run dev`.
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(config.DEV_TEMPORAL_PORT)];
  args.push('--ui-port', String(config.DEV_TEMPORAL_UI_PORT), '--db-filename', dbFilename, '--log-level', 'error');
  args.push(...devServerSettingsArgs());
  if (config.TEMPORAL_NAMESPACE !== 'default') args.push('--namespace', config.TEMPORAL_NAMESPACE);
  supervisor.start(0, 'temporal', temporalCli(), args, childEnv({}));
}

/**
 * A dev server left running by an earlier run (or anything else on our ports) would make ours fail with "address
 * already in use" and no hint: name what holds the port instead, in one line.
 */
async function portsTakenBy(config: DevConfig): Promise<string | undefined> {
  const ports = { DEV_TEMPORAL_PORT: config.DEV_TEMPORAL_PORT, DEV_TEMPORAL_UI_PORT: config.DEV_TEMPORAL_UI_PORT };
  for (const [variable, port] of Object.entries(ports)) {
    if (!(await portInUse(port, '127.0.0.1'))) continue;
    const owner = describePortOwner(port) ?? 'a process this user cannot see';
    return `port ${port} (${variable}) is in use by ${owner}: a Temporal dev server left by an earlier run? Stop it, or set ${variable} to another port`;
  }
  return undefined;
}

function printWhereThingsAre(config: DevConfig): void {
  const api = `http://localhost:${config.PORT}`;
  const temporal = config.startTemporal
    ? `${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}, state in ${config.DEV_TEMPORAL_DB_FILENAME})`
    : `${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}, from TEMPORAL_ADDRESS; started none)`;
  say('ready: Ctrl-C stops everything');
  say(`  Console       ${api}/`);
  say(`  API           ${api}`);
  say(`  Docs          ${api}/docs`);
  say(`  OpenAPI       ${api}/openapi.json`);
  say(`  tRPC          ${api}/trpc`);
  say(`  Temporal      ${temporal}`);
  if (config.startTemporal) say(`  Web UI        http://localhost:${config.DEV_TEMPORAL_UI_PORT}`);
  say(`  Task queue    ${config.TEMPORAL_TASK_QUEUE}`);
  say(`  Auth          ${authSummary(config)}`);
}

/** The Web UI the console links runs to: the one set, else the embedded dev server's. */
function temporalUiUrl(config: DevConfig): string | undefined {
  return (
    config.TEMPORAL_UI_URL ?? (config.startTemporal ? `http://localhost:${config.DEV_TEMPORAL_UI_PORT}` : undefined)
  );
}

async function main(config: DevConfig, watch: boolean): Promise<void> {
  const supervisor = new Supervisor(startGuard({ cwd: ROOT, env: childEnv({}) }));
  // The console is static files the API serves: built now, and rebuilt on save when watching.
  if (watch) await watchConsole();
  else await buildConsole();
  process.on('SIGINT', () => void supervisor.stopAll(0));
  process.on('SIGTERM', () => void supervisor.stopAll(0));
  process.on('exit', () => supervisor.killAll());
  // npm relays Ctrl-C and SIGTERM to us; if npm itself is SIGKILLed, nothing is relayed, so notice it ourselves.
  watchParent((parent) => {
    say(`parent process ${parent} is gone; stopping`);
    void supervisor.stopAll(1);
  });

  if (config.startTemporal) {
    const taken = await portsTakenBy(config);
    if (taken) {
      say(taken);
      return supervisor.stopAll(1);
    }
    startTemporal(supervisor, config);
  }
  say(`waiting for Temporal at ${config.TEMPORAL_ADDRESS}`);
  const temporalUp = await waitUntil(() => temporalAnswers(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE), {
    timeoutMs: TEMPORAL_START_TIMEOUT_MS,
    givenUp: () => supervisor.isStopping,
  });
  if (!temporalUp) {
    if (!supervisor.isStopping) say(`Temporal did not answer at ${config.TEMPORAL_ADDRESS}; stopping`);
    return supervisor.stopAll(1);
  }

  // Both processes read the same config; only the address (and, for the dev server, its Web UI) may differ.
  // A dev server of its own is plain local gRPC: no profile of the user's Temporal config file (Cloud TLS, API key).
  const env = childEnv({
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
    TEMPORAL_UI_URL: temporalUiUrl(config),
    ...(config.startTemporal ? { TEMPORAL_CONFIG_FILE: '/dev/null', TEMPORAL_PROFILE: undefined } : {}),
  });
  // The worker bundles workflows/ at start-up, which it never imports: watch those files too.
  const tsx = (entry: string, ...include: string[]): string[] =>
    watch
      ? [TSX_CLI, 'watch', '--clear-screen=false', ...include.map((glob) => `--include=${glob}`), entry]
      : [TSX_CLI, entry];
  let workerPolling = false;
  supervisor.start(1, 'worker', process.execPath, tsx('worker/main.ts', 'workflows/**/*.ts'), env, (line) => {
    if (line.includes('"worker polling"')) workerPolling = true;
  });
  supervisor.start(1, 'api', process.execPath, tsx('api/main.ts'), env);

  const ready = await waitUntil(
    async () => workerPolling && (await httpAnswers(`http://127.0.0.1:${config.PORT}/readyz`)),
    {
      intervalMs: 500,
      givenUp: () => supervisor.isStopping,
    },
  );
  if (ready) printWhereThingsAre(config);
}

let config: DevConfig;
try {
  config = loadDevConfig();
} catch (error) {
  exitOnConfigError(error);
}
main(config, !process.argv.includes('--no-watch')).catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
