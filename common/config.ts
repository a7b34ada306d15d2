import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';
import { SCOPES } from './scopes';

/** The task queue of the seed guide; API and worker share it unless TEMPORAL_TASK_QUEUE says otherwise. */
export const DEFAULT_TASK_QUEUE = 'your-task-queue';
/** Where the embedded dev server (`npm run dev`) listens. */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';

const booleanString = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1');

const positiveInt = z.coerce.number({ error: 'expected a number' }).int('expected a whole number').positive();

const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** A tenant name: it prefixes stored workflow IDs (`<tenant>~<id>`), so it cannot hold the separator. */
export const tenantSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'a tenant is 1 to 64 letters, digits and . _ - (starting with one of the first two)',
  );

/** Temporal's priority levels: 1 goes first; the server's default range is 1 to 5 (3 when unset). */
const priorityLevel = z.int('a priority key is a whole number').min(1).max(5);

/**
 * A tenant's share of the shared task queue (README "Tenant fairness"): its fairness weight (Temporal's default is 1),
 * a priority key for all its starts or per workflow type, and a cap on its open runs of one type.
 */
export const capacitySchema = z.strictObject({
  fairnessWeight: z.number().min(0.001).max(1000).optional(),
  priorityKey: z.union([priorityLevel, z.record(z.string().min(1), priorityLevel)]).optional(),
  maxRunning: z.int('maxRunning is a whole number').positive().optional(),
});
export type Capacity = z.infer<typeof capacitySchema>;

const apiKeyEntrySchema = z
  .strictObject({
    name: z.string().min(1).max(100),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'sha256 is the hex SHA-256 digest of the key (npm run new-api-key prints it)'),
    scopes: z.array(z.enum(SCOPES)).min(1),
    tenant: tenantSchema.optional(),
    workflowTypes: z.array(z.string().min(1)).min(1).optional(),
    ...capacitySchema.shape,
  })
  .refine((entry) => entry.maxRunning === undefined || entry.tenant !== undefined, {
    message: "maxRunning caps a tenant's open runs: set tenant too",
    path: ['maxRunning'],
  });
const apiKeyListSchema = z.array(apiKeyEntrySchema).min(1);
export type ApiKeyEntry = z.infer<typeof apiKeyEntrySchema>;

const webhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'expected whsec_ followed by base64 (at least 12 bytes)');

function jsonOf<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

function commaList<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(item));
}

// Variable names follow Temporal's own (TEMPORAL_ADDRESS, TEMPORAL_TLS_*) so the same
// environment works for the temporal CLI, other SDKs and this service.
const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).default(3000),
  /** Where the API listens; unset: every interface with auth on, loopback only with auth off (see listenHost). */
  HOST: z.string().min(1).optional(),
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

  // Reliability (issue 9): admission control, graceful drain, the task-queue view.
  /** Requests one API process works on at once; beyond it, 503 with Retry-After before Temporal is called. */
  API_MAX_IN_FLIGHT: positiveInt.max(100_000).default(128),
  /** After SIGTERM: how long readiness fails and new requests get 503 before the listener closes (load balancers catch up). */
  API_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** A poller not seen for this long is marked stale in the task-queue view (a worker's long-poll lasts ≤ 60 s). */
  TASK_QUEUE_POLLER_STALE_MS: positiveInt.max(600_000).default(70_000),
  // --- Security (issue 8): authentication, CORS, rate limits, backpressure, HTTP timeouts ---
  /** JSON array of API keys, each by the SHA-256 of the key (never the key): see README "Security". */
  AUTH_API_KEYS: jsonOf(apiKeyListSchema).optional(),
  /** A file holding the same JSON array (a mounted secret); read once at start-up. */
  AUTH_API_KEYS_FILE: z.string().min(1).optional(),
  /** JWT bearer tokens: verified against this JWKS (cached; an unknown kid refetches it). */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  AUTH_JWT_ALGORITHMS: commaList(z.enum(JWT_ALGORITHMS)).default(['RS256', 'ES256']),
  /** Least time between JWKS refetches when a token names an unknown kid (key rotation). */
  AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  AUTH_JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  /** Claim holding the scopes: a space-separated string (OAuth `scope`) or an array (`scp`). */
  AUTH_JWT_SCOPES_CLAIM: z.string().min(1).default('scope'),
  AUTH_JWT_TENANT_CLAIM: z.string().min(1).default('tenant'),
  /** JSON object: a token's tenant → its capacity (fairnessWeight, priorityKey, maxRunning), as API keys carry it. */
  AUTH_JWT_TENANT_CAPACITY: jsonOf(z.record(tenantSchema, capacitySchema)).default({}),
  /**
   * Refuse tokens without the tenant claim (a token without it sees every tenant). Unset: required in production
   * when any API key carries a tenant; see jwtTenantRequired.
   */
  AUTH_JWT_REQUIRE_TENANT: booleanString.optional(),
  /** Origins allowed to call /trpc and /api from a browser, comma-separated; unset means none. */
  CORS_ORIGINS: commaList(
    z.url({ error: 'expected an origin such as https://app.example.com' }).transform((url) => new URL(url).origin),
  ).default([]),
  /** Requests per minute per caller (API key, token subject, or IP when anonymous); development: DEVELOPMENT_RATE_LIMITS. */
  RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  /** Waiting requests (execute, result and update waits) per minute per caller. */
  RATE_LIMIT_WAITS_PER_MINUTE: positiveInt.default(60),
  /**
   * PostgreSQL for the per-minute counters, shared by every API replica (postgres://user:password@host:port/db);
   * unset, each replica counts in memory. While it is unreachable each replica counts alone again (README).
   */
  RATE_LIMIT_POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection URL')
    .optional(),
  /** Failed authentications per minute per client address; past it, that address gets 429 until the minute ends. */
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: positiveInt.default(30),
  /** Progress streams (SSE or tRPC subscription) one caller may hold open at once. */
  RATE_LIMIT_STREAMS_PER_CALLER: positiveInt.default(10),
  /** Starts answer 503 while the task queue's backlog is older (s) or longer (tasks) than this; unset means never. */
  BACKPRESSURE_MAX_BACKLOG_AGE_S: positiveInt.optional(),
  BACKPRESSURE_MAX_BACKLOG_COUNT: positiveInt.optional(),
  /** How long a count of a tenant's open runs (maxRunning) is reused before visibility is asked again. */
  RUNNING_CAP_CACHE_MS: z.coerce.number({ error: 'expected a number' }).int().min(0).max(60_000).default(1_000),
  /** How long a backlog reading is reused before the task queue is described again. */
  BACKPRESSURE_CHECK_INTERVAL_MS: positiveInt.default(5_000),
  /** Slow clients: time to send the headers, the whole request, and idle time on a kept-alive connection. */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(5_000),
  /** How often the server checks the headers and request timeouts (Node's connectionsCheckingInterval). */
  HTTP_TIMEOUT_CHECK_INTERVAL_MS: positiveInt.default(1_000),
  // Operations (issue 10): metrics, health, shutdown, tracing, the order activities' services.
  /** The API's /metrics on its own port (0: any free one, logged); unset: on the public port in development only. */
  API_METRICS_PORT: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).optional(),
  /** The worker's /metrics, /healthz and /readyz (0: any free port, logged); unset means none is served. */
  WORKER_METRICS_PORT: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).optional(),
  /** How long a stopping worker lets running activities finish before cancelling them; fits a 30 s termination grace. */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number({ error: 'expected a number' }).int().min(0).max(3_600_000).default(25_000),
  /** The outside services of the order activities: in-memory fakes are the only implementation shipped so far. */
  ORDER_SERVICES: z.enum(['fake']).default('fake'),
  /** With NODE_ENV=production the worker refuses in-memory fakes unless this says it may (a demo deployment). */
  ALLOW_FAKE_SERVICES_IN_PRODUCTION: booleanString.default(false),
  /** Where traces go (OTLP over HTTP, e.g. http://otel-collector:4318); unset means tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ error: 'expected a URL, e.g. http://localhost:4318' }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  // Web console (issue 12)
  /** Temporal Web UI base URL, e.g. http://localhost:8233; the console links each run there. Unset: no link. */
  TEMPORAL_UI_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. http://localhost:8233' })
    .optional(),
  // Completion webhooks (issue 22): README "Callbacks".
  /** Where callbacks may go: URL prefixes (https://hooks.example.com/) or host patterns (*.example.com); unset: none. */
  CALLBACK_ALLOWED_URLS: commaList(z.string().min(1)).default([]),
  /** Standard Webhooks secrets (whsec_<base64>), comma-separated; each signs every delivery (rotation). */
  CALLBACK_SIGNING_SECRET: commaList(webhookSecretSchema).default([]),
  /** Per tenant, the secrets that sign its runs' deliveries instead: JSON {"acme": ["whsec_…"]}. */
  CALLBACK_SIGNING_SECRETS_BY_TENANT: jsonOf(z.record(tenantSchema, z.array(webhookSecretSchema).min(1))).default({}),
  /** Private, loopback and link-local networks (CIDR, comma-separated) callbacks may reach anyway; unset: none. */
  CALLBACK_ALLOWED_NETWORKS: commaList(
    z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'expected CIDR, e.g. 10.1.0.0/16'),
  ).default([]),
  /** Plain http callbacks in production (always allowed outside production). */
  CALLBACK_ALLOW_HTTP: booleanString.default(false),
  /** How long a delivery keeps retrying (exponential back-off with jitter) before it gives up. */
  CALLBACK_RETRY_FOR_MS: positiveInt.default(25 * 3_600_000),
  /** First and longest pause between two attempts. */
  CALLBACK_RETRY_INITIAL_MS: positiveInt.default(1_000),
  CALLBACK_RETRY_MAX_MS: positiveInt.default(3_600_000),
  /** One attempt's whole time (connect, send, answer headers). */
  CALLBACK_ATTEMPT_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  // Action links (issue 22): README "Action links".
  /** The HMAC key that signs action links (HS256); unset: links are off (501 naming this variable). */
  ACTION_LINK_SIGNING_SECRET: z
    .string()
    .min(32, 'expected at least 32 characters (e.g. openssl rand -base64 32)')
    .optional(),
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
  const config = parseEnv(configSchema, { ...developmentDefaults(env), ...temporalProfileDefaults(env), ...env });
  if (config.CALLBACK_ALLOWED_URLS.length > 0 && config.CALLBACK_SIGNING_SECRET.length === 0)
    throw new ConfigError(
      'invalid CALLBACK_SIGNING_SECRET: required with CALLBACK_ALLOWED_URLS (callbacks are signed)',
    );
  if (config.AUTH_API_KEYS_FILE === undefined) return config;
  if (config.AUTH_API_KEYS !== undefined)
    throw new ConfigError('invalid AUTH_API_KEYS_FILE: set AUTH_API_KEYS or AUTH_API_KEYS_FILE, not both');
  let text: string;
  try {
    text = readFileSync(config.AUTH_API_KEYS_FILE, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `invalid AUTH_API_KEYS_FILE=${JSON.stringify(config.AUTH_API_KEYS_FILE)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const keys = jsonOf(apiKeyListSchema).safeParse(text);
  if (!keys.success) {
    const issue = keys.error.issues[0];
    throw new ConfigError(
      `invalid AUTH_API_KEYS_FILE (${issue?.path.join('.') || 'content'}): ${issue?.message ?? 'malformed'}`,
    );
  }
  return { ...config, AUTH_API_KEYS: keys.data };
}

/** Whether any caller authentication is configured (API keys or JWTs). */
export function authConfigured(config: Pick<Config, 'AUTH_API_KEYS' | 'AUTH_JWKS_URL'>): boolean {
  return config.AUTH_API_KEYS !== undefined || config.AUTH_JWKS_URL !== undefined;
}

/**
 * The address the API listens on: HOST, else every interface when auth is on and loopback when it is off, so that an
 * open development API is not reachable from the network it sits on.
 */
export function listenHost(config: Pick<Config, 'HOST' | 'AUTH_API_KEYS' | 'AUTH_JWKS_URL'>): string {
  return config.HOST ?? (authConfigured(config) ? '0.0.0.0' : '127.0.0.1');
}

/**
 * Whether a token must carry the tenant claim: as AUTH_JWT_REQUIRE_TENANT says, else in production whenever any API
 * key carries a tenant (the service is multi-tenant, so a token without the claim would be a misconfigured identity
 * provider widening access to every tenant).
 */
export function jwtTenantRequired(
  config: Pick<Config, 'AUTH_JWT_REQUIRE_TENANT' | 'NODE_ENV' | 'AUTH_API_KEYS'>,
): boolean {
  if (config.AUTH_JWT_REQUIRE_TENANT !== undefined) return config.AUTH_JWT_REQUIRE_TENANT;
  return config.NODE_ENV === 'production' && (config.AUTH_API_KEYS ?? []).some((key) => key.tenant !== undefined);
}

/** The least JWKS refetch cooldown production accepts: a token naming unknown kids must not make every request refetch. */
export const MIN_PRODUCTION_JWKS_COOLDOWN_MS = 1_000;

/**
 * The API's own start-up checks: in production it refuses to serve without authentication, and JWTs need their
 * issuer and audience. Not in the schema, because the worker shares it and needs none of this.
 */
export function checkApiConfig(config: Config): void {
  const lines: string[] = [];
  if (config.NODE_ENV === 'production' && !authConfigured(config))
    lines.push(
      'invalid NODE_ENV=production: the API refuses to start without authentication; set AUTH_API_KEYS, AUTH_API_KEYS_FILE or AUTH_JWKS_URL',
    );
  if (config.AUTH_JWKS_URL !== undefined) {
    if (config.AUTH_JWT_ISSUER === undefined) lines.push('invalid AUTH_JWT_ISSUER: required with AUTH_JWKS_URL');
    if (config.AUTH_JWT_AUDIENCE === undefined) lines.push('invalid AUTH_JWT_AUDIENCE: required with AUTH_JWKS_URL');
    if (config.NODE_ENV === 'production' && !config.AUTH_JWKS_URL.startsWith('https:'))
      lines.push('invalid AUTH_JWKS_URL: production fetches signing keys over https only');
    if (config.NODE_ENV === 'production' && config.AUTH_JWKS_COOLDOWN_MS < MIN_PRODUCTION_JWKS_COOLDOWN_MS)
      lines.push(`invalid AUTH_JWKS_COOLDOWN_MS: at least ${MIN_PRODUCTION_JWKS_COOLDOWN_MS} in production`);
  }
  if (lines.length > 0) throw new ConfigError(lines.join('\n'));
}

/** Per-caller rate limits in development: high enough that trying the service in a loop is never refused. */
export const DEVELOPMENT_RATE_LIMITS = { RATE_LIMIT_PER_MINUTE: 60_000, RATE_LIMIT_WAITS_PER_MINUTE: 60_000 } as const;

/**
 * Defaults that differ in development (NODE_ENV unset or `development`, as `npm run dev` runs): the per-caller rate
 * limits, sized for a shared production API, would stop one person's local loop after 60 executes. Production and
 * tests keep the schema's defaults; a variable that is set always wins.
 */
function developmentDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if ((env.NODE_ENV || 'development') !== 'development') return {};
  return Object.fromEntries(Object.entries(DEVELOPMENT_RATE_LIMITS).map(([name, value]) => [name, String(value)]));
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
  const config = parseEnv(devConfigSchema, { ...developmentDefaults(env), ...env });
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
