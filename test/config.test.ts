import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkApiConfig, ConfigError, loadConfig } from '../common/config';
import { temporalConnectionSettings } from '../common/temporal-connection';

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

describe('Temporal connection settings (@temporalio/envconfig: profiles, config file, TEMPORAL_* variables)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-http-envconfig-'));
  const file = join(dir, 'temporal.toml');
  writeFileSync(
    file,
    [
      '[profile.default]',
      'address = "localhost:7233"',
      'namespace = "dev"',
      '',
      '[profile.cloud]',
      'address = "orders.a1b2c.tmprl.cloud:7233"',
      'namespace = "orders.a1b2c"',
      'api_key = "profile-api-key"',
      '[profile.cloud.tls]',
      'server_name = "orders.a1b2c.tmprl.cloud"',
      '',
    ].join('\n'),
  );
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps working from the variables alone: plain without TLS settings, TLS with an API key', () => {
    const plain = temporalConnectionSettings(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }));
    assert.deepEqual(plain, { address: 'temporal:7233', tls: undefined, apiKey: undefined });
    const cloud = temporalConnectionSettings(
      loadConfig({ TEMPORAL_ADDRESS: 'x.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' }),
    );
    assert.equal(cloud.tls, true);
    assert.equal(cloud.apiKey, 'k');
    const forcedOff = temporalConnectionSettings(loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }));
    assert.equal(forcedOff.tls, false);
  });

  it('reads client certificates from paths or, as the CLI allows, from *_DATA variables', () => {
    const certPath = join(dir, 'client.pem');
    writeFileSync(certPath, 'CERT FROM FILE');
    const fromPaths = temporalConnectionSettings(
      loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY FROM DATA' }),
    );
    assert.ok(typeof fromPaths.tls === 'object');
    assert.equal(fromPaths.tls.clientCertPair?.crt.toString(), 'CERT FROM FILE');
    assert.equal(fromPaths.tls.clientCertPair?.key.toString(), 'KEY FROM DATA');
  });

  it("takes address, namespace, API key and TLS from the config file's profile (TEMPORAL_PROFILE)", () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    assert.equal(config.TEMPORAL_ADDRESS, 'orders.a1b2c.tmprl.cloud:7233');
    assert.equal(config.TEMPORAL_NAMESPACE, 'orders.a1b2c');
    const settings = temporalConnectionSettings(config);
    assert.equal(settings.apiKey, 'profile-api-key');
    assert.ok(typeof settings.tls === 'object');
    assert.equal(settings.tls.serverNameOverride, 'orders.a1b2c.tmprl.cloud');
  });

  it('uses the default profile, and lets TEMPORAL_* variables override the file', () => {
    assert.equal(loadConfig({ TEMPORAL_CONFIG_FILE: file }).TEMPORAL_NAMESPACE, 'dev');
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'other' });
    assert.equal(config.TEMPORAL_NAMESPACE, 'other');
    assert.equal(config.TEMPORAL_ADDRESS, 'orders.a1b2c.tmprl.cloud:7233');
  });

  it('finds the temporal CLI’s own file under $XDG_CONFIG_HOME', () => {
    const xdg = join(dir, 'xdg');
    mkdirSync(join(xdg, 'temporalio'), { recursive: true });
    writeFileSync(join(xdg, 'temporalio', 'temporal.toml'), '[profile.default]\nnamespace = "from-cli-file"\n');
    assert.equal(loadConfig({ XDG_CONFIG_HOME: xdg }).TEMPORAL_NAMESPACE, 'from-cli-file');
  });

  it('rejects an unknown profile or a missing file with one line naming the variable', () => {
    assert.throws(
      () => loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nope' }),
      (error: unknown) => error instanceof ConfigError && /^invalid TEMPORAL_PROFILE: .*nope/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') }),
      (error: unknown) =>
        error instanceof ConfigError && /^invalid TEMPORAL_CONFIG_FILE=.*no such file$/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ TEMPORAL_PROFILE: 'cloud' }),
      (error: unknown) => error instanceof ConfigError && /^invalid TEMPORAL_PROFILE/.test(error.message),
    );
  });
});

describe('operations settings', () => {
  it('defaults the worker shutdown grace to 25 s (inside a 30 s termination grace) and fakes to refused in production', () => {
    const config = loadConfig({});
    assert.equal(config.WORKER_SHUTDOWN_GRACE_MS, 25_000);
    assert.equal(config.ORDER_SERVICES, 'fake');
    assert.equal(config.ALLOW_FAKE_SERVICES_IN_PRODUCTION, false);
    assert.equal(config.WORKER_METRICS_PORT, undefined);
  });

  it('rejects bad operations values, one line each', () => {
    assert.throws(
      () =>
        loadConfig({
          WORKER_METRICS_PORT: '99999',
          ORDER_SERVICES: 'stripe',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assertOneLinePerVariable(error.message, [
          'WORKER_METRICS_PORT',
          'ORDER_SERVICES',
          'OTEL_EXPORTER_OTLP_ENDPOINT',
        ]);
        return true;
      },
    );
  });
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

describe('an empty Temporal config file', () => {
  it('means no profile (npm run dev points its processes at /dev/null for its own server)', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: '/dev/null', TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    assert.equal(config.TEMPORAL_NAMESPACE, 'default');
    assert.deepEqual(temporalConnectionSettings(config), {
      address: '127.0.0.1:7233',
      tls: undefined,
      apiKey: undefined,
    });
  });
});
