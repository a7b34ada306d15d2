import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { checkApiConfig, ConfigError, loadConfig } from '../common/config';

const ROOT = join(__dirname, '..');
const BAD_ENV = { PORT: 'abc', TEMPORAL_ADDRESS: 'nonsense', TEMPORAL_TLS: 'maybe' };

/** Asserts one line per bad variable, each naming it, and returns the lines. */
function assertOneLinePerVariable(text: string, names: string[]): string[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, names.length, `expected one line per bad variable, got:\n${text}`);
  for (const name of names) {
    const naming = lines.filter((line) => new RegExp(`\\b${name}\\b`).test(line));
    assert.equal(naming.length, 1, `expected exactly one line naming ${name}, got:\n${text}`);
  }
  return lines;
}

describe('loadConfig', () => {
  it('defaults to the seed guide: port 3000, localhost:7233, namespace default, your-task-queue', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.TEMPORAL_ADDRESS, 'localhost:7233');
    assert.equal(config.TEMPORAL_NAMESPACE, 'default');
    assert.equal(config.TEMPORAL_TASK_QUEUE, 'your-task-queue');
    assert.equal(config.TEMPORAL_TLS, undefined);
  });

  it('takes overrides from the environment, and treats empty values as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'orders',
      TEMPORAL_TASK_QUEUE: 'orders-queue',
      TEMPORAL_TLS: 'true',
      MAX_WAIT_MS: '',
    });
    assert.equal(config.PORT, 8080);
    assert.equal(config.TEMPORAL_ADDRESS, 'temporal.internal:7233');
    assert.equal(config.TEMPORAL_NAMESPACE, 'orders');
    assert.equal(config.TEMPORAL_TASK_QUEUE, 'orders-queue');
    assert.equal(config.TEMPORAL_TLS, true);
    assert.equal(config.MAX_WAIT_MS, loadConfig({}).MAX_WAIT_MS);
  });

  it('rejects bad values with one readable line per bad variable', () => {
    assert.throws(
      () => loadConfig(BAD_ENV),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
        const lines = assertOneLinePerVariable(error.message, Object.keys(BAD_ENV));
        assert.ok(
          lines.some((line) => line.includes('"abc"')),
          'the line shows the offending value',
        );
        return true;
      },
    );
  });
});

describe('entry processes with a bad configuration', { timeout: 180_000 }, () => {
  before(() => {
    if (!existsSync(join(ROOT, 'dist', 'api', 'main.js')) || !existsSync(join(ROOT, 'dist', 'worker', 'main.js'))) {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    }
  });

  for (const entry of ['api', 'worker']) {
    it(`node dist/${entry}/main.js exits 1 with the readable lines and no stack trace`, () => {
      // Only the bad variables: the test's own environment must not add or hide errors.
      const run = spawnSync(process.execPath, [join('dist', entry, 'main.js')], {
        cwd: ROOT,
        env: BAD_ENV,
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(run.status, 1, `exit status ${run.status}, stderr:\n${run.stderr}`);
      assertOneLinePerVariable(run.stderr, Object.keys(BAD_ENV));
      assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
      assert.equal(run.stdout, '');
    });
  }
});

describe('the API’s security configuration', () => {
  const key = { name: 'ci', sha256: 'a'.repeat(64), scopes: ['workflows:read'] };

  it('parses AUTH_API_KEYS, CORS_ORIGINS and the JWT settings', () => {
    const config = loadConfig({
      AUTH_API_KEYS: JSON.stringify([key]),
      CORS_ORIGINS: 'https://app.example.com/, http://localhost:5173',
      AUTH_JWT_ALGORITHMS: 'RS256,EdDSA',
    });
    assert.deepEqual(config.AUTH_API_KEYS, [key]);
    assert.deepEqual(config.CORS_ORIGINS, ['https://app.example.com', 'http://localhost:5173']);
    assert.deepEqual(config.AUTH_JWT_ALGORITHMS, ['RS256', 'EdDSA']);
  });

  it('refuses a key list with an unknown scope, a key instead of its hash, or an unknown field', () => {
    for (const bad of [
      { ...key, scopes: ['workflows:everything'] },
      { ...key, sha256: 'thk_the-key-itself' },
      { ...key, secret: 'x' },
    ]) {
      assert.throws(() => loadConfig({ AUTH_API_KEYS: JSON.stringify([bad]) }), ConfigError, JSON.stringify(bad));
    }
    assert.throws(() => loadConfig({ AUTH_API_KEYS: 'not json' }), /AUTH_API_KEYS.*expected JSON/);
  });

  it('reads AUTH_API_KEYS_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify([key]));
    assert.deepEqual(loadConfig({ AUTH_API_KEYS_FILE: file }).AUTH_API_KEYS, [key]);
    assert.throws(() => loadConfig({ AUTH_API_KEYS_FILE: join(dir, 'missing.json') }), /AUTH_API_KEYS_FILE.*ENOENT/);
  });

  it('in production, the API refuses to start without authentication; JWTs need issuer and audience', () => {
    assert.throws(
      () => checkApiConfig(loadConfig({ NODE_ENV: 'production' })),
      /refuses to start without authentication/,
    );
    checkApiConfig(loadConfig({ NODE_ENV: 'production', AUTH_API_KEYS: JSON.stringify([key]) }));
    checkApiConfig(loadConfig({ NODE_ENV: 'development' }));
    assert.throws(
      () => checkApiConfig(loadConfig({ AUTH_JWKS_URL: 'https://idp.example.com/jwks.json' })),
      /AUTH_JWT_ISSUER[^\n]*\nAUTH_JWT_AUDIENCE|AUTH_JWT_ISSUER.*\n.*AUTH_JWT_AUDIENCE/,
    );
  });

  it('node dist/api/main.js with NODE_ENV=production and no auth exits 1 with one readable line', () => {
    if (!existsSync(join(ROOT, 'dist', 'api', 'main.js')))
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const run = spawnSync(process.execPath, [join('dist', 'api', 'main.js')], {
      cwd: ROOT,
      env: { NODE_ENV: 'production', TEMPORAL_ADDRESS: '127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /NODE_ENV=production.*AUTH_API_KEYS/);
  });
});
