import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';

/** The task queue of the seed guide; API and worker share it unless TEMPORAL_TASK_QUEUE says otherwise. */
export const DEFAULT_TASK_QUEUE = 'your-task-queue';
/** Where the embedded dev server (`npm run dev`) listens. */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';

const booleanString = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1');

const positiveInt = z.coerce.number({ error: 'expected a number' }).int('expected a whole number').positive();

// Variable names follow Temporal's own (TEMPORAL_ADDRESS, TEMPORAL_TLS_*) so the same
// environment works for the temporal CLI, other SDKs and this service.
const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. localhost:7233')
    .default(DEFAULT_TEMPORAL_ADDRESS),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: booleanString.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  // Read as @temporalio/envconfig (and the temporal CLI) reads them: a profile of a TOML config file, then the
  // TEMPORAL_* variables above over it. The *_DATA forms carry PEM text instead of a path.
  TEMPORAL_PROFILE: z.string().min(1).optional(),
  TEMPORAL_CONFIG_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_CERT_DATA: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_DATA: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: z.string().min(1).optional(),
  /** Prebuilt workflow bundle (`npm run build` writes dist/workflow-bundle.js); unset means bundle from source. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /** Longest bounded wait a caller may ask of execute/result, in milliseconds. */
  MAX_WAIT_MS: positiveInt.max(300_000).default(60_000),
  /** Concurrency limits for one worker replica; unset means the SDK's defaults. */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt.optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),

  // Operations (issue 10): metrics, health, shutdown, tracing, the order activities' services.
  /** The worker's /metrics (the SDK's Prometheus exporter), /healthz and /readyz; unset means none is served. */
  WORKER_METRICS_PORT: z.coerce.number({ error: 'expected a port number' }).int().min(1).max(65535).optional(),
  /** How long a stopping worker lets running activities finish before cancelling them; fits a 30 s termination grace. */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number({ error: 'expected a number' }).int().min(0).max(3_600_000).default(25_000),
  /** The outside services of the order activities: in-memory fakes are the only implementation shipped so far. */
  ORDER_SERVICES: z.enum(['fake']).default('fake'),
  /** With NODE_ENV=production the worker refuses in-memory fakes unless this says it may (a demo deployment). */
  ALLOW_FAKE_SERVICES_IN_PRODUCTION: booleanString.default(false),
  /** Where traces go (OTLP over HTTP, e.g. http://otel-collector:4318); unset means tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ error: 'expected a URL, e.g. http://localhost:4318' }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment is invalid; its message has one readable line per bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses configuration from the environment, once, at start-up. The only reader of process.env. Temporal's address
 * and namespace come from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE, else from the selected profile of Temporal's config
 * file (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml; TEMPORAL_PROFILE, else "default").
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseEnv(configSchema, { ...temporalProfileDefaults(env), ...env });
}

/** Where the temporal CLI keeps its config file (envconfig's default): $XDG_CONFIG_HOME or ~/.config, temporalio/. */
function defaultTemporalConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  const base =
    process.platform === 'win32'
      ? env.APPDATA
      : process.platform === 'darwin'
        ? env.HOME && join(env.HOME, 'Library', 'Application Support')
        : env.XDG_CONFIG_HOME || (env.HOME && join(env.HOME, '.config'));
  const file = base ? join(base, 'temporalio', 'temporal.toml') : undefined;
  return file && existsSync(file) ? file : undefined;
}

/**
 * The address, namespace and API key of the config file's profile, as environment defaults; and the file itself,
 * so that the connection settings (TLS) are read from the same one.
 */
function temporalProfileDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = env.TEMPORAL_CONFIG_FILE || defaultTemporalConfigFile(env);
  if (file === undefined) {
    if (env.TEMPORAL_PROFILE)
      throw new ConfigError(`invalid TEMPORAL_PROFILE: no Temporal config file to read it from`);
    return {};
  }
  if (!existsSync(file)) throw new ConfigError(`invalid TEMPORAL_CONFIG_FILE=${JSON.stringify(file)}: no such file`);
  // An empty file (TEMPORAL_CONFIG_FILE=/dev/null) means "no profile", as `npm run dev` uses it for its own server.
  if (statSync(file).size === 0) return { TEMPORAL_CONFIG_FILE: file };
  try {
    const profile = loadClientConfigProfile({
      configSource: { path: file },
      profile: env.TEMPORAL_PROFILE || undefined,
      disableEnv: true,
    });
    return {
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_ADDRESS: profile.address,
      TEMPORAL_NAMESPACE: profile.namespace,
      TEMPORAL_API_KEY: profile.apiKey,
    };
  } catch (error) {
    const name = env.TEMPORAL_PROFILE ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
    throw new ConfigError(`invalid ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

const devPort = (fallback: number) =>
  z.coerce.number({ error: 'expected a port number' }).int().min(1).max(65535).default(fallback);

// Only `npm run dev` reads these: where it runs its own Temporal dev server.
const devConfigSchema = configSchema.extend({
  DEV_TEMPORAL_PORT: devPort(7233),
  DEV_TEMPORAL_UI_PORT: devPort(8233),
  DEV_TEMPORAL_DB_FILENAME: z.string().min(1).default('.temporal/dev.sqlite'),
});

/** The configuration of `npm run dev`: the service's, plus whether and where it starts a Temporal dev server. */
export type DevConfig = z.infer<typeof devConfigSchema> & { startTemporal: boolean };

/** Parses the dev configuration. Unless TEMPORAL_ADDRESS names a server, dev starts one and points everything at it. */
export function loadDevConfig(env: NodeJS.ProcessEnv = process.env): DevConfig {
  const config = parseEnv(devConfigSchema, env);
  const startTemporal = !env.TEMPORAL_ADDRESS;
  const address = startTemporal ? `127.0.0.1:${config.DEV_TEMPORAL_PORT}` : config.TEMPORAL_ADDRESS;
  return { ...config, TEMPORAL_ADDRESS: address, startTemporal };
}

/** The environment for a child process: this one's with `overrides` applied (undefined removes a variable). */
export function childEnv(
  overrides: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...env, ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete merged[name];
  return merged;
}

function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const nonEmpty = definedOnly(env);
  const parsed = schema.safeParse(nonEmpty);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    return `invalid ${name}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${issue.message}`;
  });
  throw new ConfigError(lines.join('\n'));
}

/** Runs `main`, turning a bad configuration into readable lines and exit code 1 instead of a stack trace. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
