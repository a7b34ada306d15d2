// No Docker engine here: this file checks what the Dockerfile promises (test/compose.test.ts: compose), then builds the image's
// stages in a temp dir by following the Dockerfile's own instructions, and runs the runtime stage's processes
// (production dependencies only) against a real Temporal dev server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'yaml';
import { apiKeysEnv, testKey } from './helpers/auth';
import { dockerIgnores, dockerignorePatterns, execForm, parseDockerfile, type Stage } from './helpers/dockerfile';
import { spawnWatched, type Watched } from './helpers/process-checks';
import { listeningPort } from './helpers/processes';
import { startTestServer, uniqueName } from './helpers/temporal';
import { useUnreachableAddress } from './helpers/unreachable-temporal';

const DOCKER_KEY = testKey('docker', ['workflows:start', 'workflows:read']);

const ROOT = resolve(__dirname, '..');
const WORKDIR = '/app';
const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const ignorePatterns = dockerignorePatterns(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const packageScripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The worker's command as compose runs it (test/compose.test.ts checks the rest of compose.yaml). */
const composeWorkerCommand = (
  parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: { worker?: { command?: string[] } };
  }
).services.worker?.command;

const stageNamed = (name: string): Stage => {
  const stage = dockerfile.stages.find((candidate) => candidate.name === name);
  assert.ok(stage, `a stage named ${name}`);
  return stage;
};
const argsOf = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
const words = (script: string): string[] => script.split(' ');

describe('Dockerfile', () => {
  const runtime = dockerfile.stages.at(-1);

  it('builds in stages deps → build → runtime, from a glibc Node LTS image', () => {
    assert.deepEqual(
      dockerfile.stages.map((stage) => stage.name),
      ['deps', 'build', 'runtime'],
    );
    assert.equal(stageNamed('build').from, 'deps');
    const base = stageNamed('deps').from.replace(/^\$\{(\w+)\}$/, (_, name: string) => dockerfile.args[name] ?? '');
    assert.equal(stageNamed('runtime').from, stageNamed('deps').from, 'runtime starts from the clean base image');
    const match = /^node:(\d+)-(bookworm|trixie)-slim$/.exec(base);
    assert.ok(match, `a Debian slim Node image (the core-bridge needs glibc): ${base}`);
    assert.equal(Number(match[1]) % 2, 0, 'an LTS (even) Node major');
    assert.ok(Number(match[1]) >= 22);
    // The runtime that ships is the runtime CI tests on (.ci/run puts scripts/node24.sh's node first on PATH).
    const ciNode = /^VERSION=(\d+)\.\d+\.\d+$/m.exec(readFileSync(join(ROOT, 'scripts', 'node24.sh'), 'utf8'));
    assert.equal(ciNode?.[1], match[1], "CI's Node major is the image's");
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } })
      .engines.node;
    const lines = engines.split('||').map((range) => range.trim());
    assert.ok(lines.includes(`^${match[1]}`), `engines "${engines}" admits the image's Node line`);
  });

  it('installs with npm ci, builds, and prunes dev dependencies before the runtime stage', () => {
    assert.ok(argsOf(stageNamed('deps'), 'RUN').some((run) => / npm ci( |$)/.test(` ${run}`)));
    const build = argsOf(stageNamed('build'), 'RUN').join(' && ');
    assert.match(build, /npm run build/);
    assert.match(build, /npm prune --omit=dev/);
  });

  it('runs as a non-root user with NODE_ENV=production and no npm install in the runtime stage', () => {
    assert.ok(runtime);
    const users = argsOf(runtime, 'USER');
    assert.equal(users.length, 1);
    assert.doesNotMatch(users[0] ?? '', /^(root|0)(:|$)/);
    assert.ok(argsOf(runtime, 'ENV').some((env) => /(^|\s)NODE_ENV=production(\s|$)/.test(env)));
    for (const run of argsOf(runtime, 'RUN')) assert.doesNotMatch(run, /\b(npm|yarn|pnpm)\s+(install|i|ci|add)\b/);
    assert.deepEqual(argsOf(runtime, 'EXPOSE'), ['3000']);
  });

  it('starts the API by default in exec form, so SIGTERM reaches node; the worker is the other command', () => {
    assert.ok(runtime);
    const cmds = argsOf(runtime, 'CMD');
    assert.equal(cmds.length, 1);
    assert.deepEqual(execForm(cmds[0] ?? ''), words(packageScripts['start:api'] ?? ''));
    // No ENTRYPOINT: `docker run IMAGE node dist/worker/main.js` runs the worker with nothing in front of it.
    assert.deepEqual(argsOf(runtime, 'ENTRYPOINT'), []);
  });

  it('checks health with node against /healthz (no curl in slim images)', () => {
    assert.ok(runtime);
    const [healthcheck] = argsOf(runtime, 'HEALTHCHECK');
    const command = execForm(healthcheck?.split(/\bCMD\s+/)[1] ?? '');
    assert.ok(command, 'exec-form HEALTHCHECK CMD');
    assert.equal(command[0], 'node');
    assert.match(command.join(' '), /\/healthz/);
  });

  it('leaves dependencies, build output, git and local state out of the build context', () => {
    for (const path of ['node_modules/x/index.js', 'dist/api/main.js', '.git/HEAD', '.temporal/dev.sqlite'])
      assert.ok(dockerIgnores(ignorePatterns, path), `${path} is ignored`);
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'api/main.ts'])
      assert.ok(!dockerIgnores(ignorePatterns, path), `${path} is in the context`);
    assert.ok(!dockerIgnores(ignorePatterns, 'scripts/build-workflow-bundle.ts'));
  });
});

/** Follows the Dockerfile: stages are directories, COPY copies, RUN runs its shell command there. */
class ImageSimulation {
  readonly root = mkdtempSync(join(tmpdir(), 'docker-test-'));
  private readonly stageDirs = new Map<string, string>();
  private readonly stageEnv = new Map<string, Record<string, string>>();

  build(): { dir: string; env: Record<string, string> } {
    let dir = '';
    let env: Record<string, string> = {};
    dockerfile.stages.forEach((stage, index) => {
      const name = stage.name ?? String(index);
      const parent = this.stageDirs.get(stage.from);
      // FROM an earlier stage continues in its files; FROM an image starts empty.
      dir = join(this.root, name);
      if (parent) renameSync(parent, dir);
      else mkdirSync(dir);
      env = { ...(this.stageEnv.get(stage.from) ?? {}) };
      for (const { keyword, args } of stage.instructions) this.apply(keyword, args, dir, env);
      this.stageDirs.set(name, dir);
      this.stageEnv.set(name, env);
    });
    return { dir, env };
  }

  private apply(keyword: string, args: string, dir: string, env: Record<string, string>): void {
    switch (keyword) {
      case 'WORKDIR':
        assert.equal(args, WORKDIR, 'the simulation maps /app to the stage directory');
        return;
      case 'ENV':
        for (const pair of args.split(/\s+/)) {
          const [name = '', value = ''] = pair.split('=');
          env[name] = value;
        }
        return;
      case 'COPY':
        return this.copy(args, dir);
      case 'RUN': {
        const command = args.replace(/--mount=\S+\s+/g, '');
        execFileSync('sh', ['-c', command], {
          cwd: dir,
          // The image's PATH has node and npm; HOME keeps npm's cache warm, as the cache mount does.
          env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: homedir(), ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        return;
      }
      case 'USER':
      case 'EXPOSE':
      case 'HEALTHCHECK':
      case 'CMD':
      case 'ENTRYPOINT':
      case 'ARG':
        return;
      default:
        assert.fail(`the simulation does not know ${keyword}: teach it`);
    }
  }

  private copy(args: string, dir: string): void {
    const parts = args.split(/\s+/);
    const from = parts.find((part) => part.startsWith('--from='))?.slice('--from='.length);
    const [dest = '', ...sources] = parts.filter((part) => !part.startsWith('--')).reverse();
    for (const source of sources.reverse()) {
      if (from === undefined) {
        assert.match(dest, /^\.\/?$/, 'context files are copied into WORKDIR');
        for (const file of contextFiles(source)) {
          mkdirSync(dirname(join(dir, file)), { recursive: true });
          cpSync(join(ROOT, file), join(dir, file));
        }
      } else {
        const fromDir = this.stageDirs.get(from);
        assert.ok(fromDir && source.startsWith(`${WORKDIR}/`), `COPY --from=${from} ${source}`);
        const relative = source.slice(WORKDIR.length + 1);
        const target = dest.endsWith('/') ? join(dir, dest, relative) : join(dir, dest);
        mkdirSync(dirname(target), { recursive: true });
        renameSync(join(fromDir, relative), target);
      }
    }
  }

  cleanUp(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The build context under `source`: the repository's files (as a fresh clone has them) less .dockerignore. */
function contextFiles(source: string): string[] {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  const under = (file: string): boolean => source === '.' || file === source || file.startsWith(`${source}/`);
  return tracked.filter(
    (file) => file !== '' && under(file) && existsSync(join(ROOT, file)) && !dockerIgnores(ignorePatterns, file),
  );
}

describe('the image, built by following the Dockerfile without Docker', { timeout: 20 * 60_000 }, () => {
  const simulation = new ImageSimulation();
  let image: { dir: string; env: Record<string, string> };
  let server: TestWorkflowEnvironment;
  const running: Watched[] = [];
  // A port where something listens but no API answers (it drops every connection), held by this suite.
  const noApi = useUnreachableAddress();

  before(async () => {
    image = simulation.build();
    server = await startTestServer();
  });
  after(async () => {
    for (const watched of running) watched.child.kill('SIGKILL');
    await server?.teardown();
    simulation.cleanUp();
  });

  it('ships compiled code, the prebuilt workflow bundle and production dependencies only', () => {
    for (const file of [
      'dist/api/main.js',
      'dist/worker/main.js',
      'dist/workflow-bundle.js',
      'dist/workflow-bundle-traced.js',
      'dist/console/index.html',
      'package-lock.json',
    ])
      assert.ok(existsSync(join(image.dir, file)), `${file} is in the image`);
    // typescript stays (a peer dependency of @trpc/*), and so does webpack (a dependency of @temporalio/worker).
    for (const devOnly of ['tsx', 'eslint', 'prettier', '@temporalio/testing', 'supertest', 'typescript-eslint'])
      assert.ok(!existsSync(join(image.dir, 'node_modules', devOnly)), `${devOnly} is not in the image`);
    assert.ok(existsSync(join(image.dir, 'node_modules', '@temporalio', 'worker')));
    assert.ok(!existsSync(join(image.dir, 'workflows')), 'no workflow sources: the worker must use the bundle');
    assert.equal(image.env.NODE_ENV, 'production');
  });

  it('runs the worker and the API (default CMD) on it: healthy, serving YourWorkflow, stopping on SIGTERM', async () => {
    const processEnv = {
      PATH: '/usr/bin:/bin',
      ...image.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: uniqueName('docker-tq'),
      // Port 0: the API binds a free port and names it in its "api listening" line (nothing can take it first).
      PORT: '0',
      // The image runs with NODE_ENV=production, where the API refuses to start without authentication.
      ...apiKeysEnv(DOCKER_KEY),
      // The image ships only the in-memory order services: a production worker runs them only when told to.
      ALLOW_FAKE_SERVICES_IN_PRODUCTION: 'true',
    };
    const start = (command: string[]): Watched => {
      assert.equal(command[0], 'node');
      const watched = spawnWatched(process.execPath, command.slice(1), { cwd: image.dir, env: processEnv });
      running.push(watched);
      return watched;
    };
    const runtime = dockerfile.stages.at(-1);
    assert.ok(runtime);
    const worker = start(composeWorkerCommand ?? []);
    const api = start(execForm(argsOf(runtime, 'CMD')[0] ?? '') ?? []);

    const workerOutput = await worker.waitFor(/"message":"worker polling"/, 60_000);
    assert.match(
      workerOutput,
      new RegExp(`"workflowSource":\\{"bundlePath":"${join(image.dir, 'dist', 'workflow-bundle.js')}"\\}`),
    );
    const apiOutput = await api.waitFor(/"message":"api listening"/, 60_000);
    const port = listeningPort(apiOutput.split('\n').find((line) => line.includes('"message":"api listening"')) ?? '');

    const healthcheck = execForm(argsOf(runtime, 'HEALTHCHECK')[0]?.split(/\bCMD\s+/)[1] ?? '') ?? [];
    // Spawned without blocking: the "no API" socket lives in this process and must go on dropping connections meanwhile.
    const check = (env: Record<string, string>): Promise<number | string> => {
      const watched = spawnWatched(process.execPath, healthcheck.slice(1), { cwd: image.dir, env });
      running.push(watched);
      return watched.exited(10_000);
    };
    assert.equal(await check({ ...processEnv, PORT: String(port) }), 0, 'HEALTHCHECK passes');
    const noApiPort = noApi.address().split(':')[1] ?? '';
    assert.equal(await check({ ...processEnv, PORT: noApiPort }), 1, 'HEALTHCHECK fails with no API');

    const workflowId = uniqueName('docker-wf');
    const response = await fetch(`http://127.0.0.1:${port}/api/workflows/YourWorkflow/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': DOCKER_KEY.key },
      body: JSON.stringify({ input: 'Docker', workflowId }),
    });
    const outcome = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 200, JSON.stringify(outcome));
    assert.equal(outcome.status, 'COMPLETED');
    assert.equal(outcome.result, 'Hello, Docker!');

    // `docker stop` sends SIGTERM to PID 1, which exec-form CMD makes node itself.
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    assert.equal(await api.exited(15_000), 0, api.output());
    assert.equal(await worker.exited(15_000), 0, worker.output());
  });
});
