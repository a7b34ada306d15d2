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
});

export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment is invalid; its message has one readable line per bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses configuration from the environment, once, at start-up. The only reader of process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseEnv(configSchema, env);
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
  const nonEmpty = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
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
