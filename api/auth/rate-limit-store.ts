import { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';

// The counters' table, created on first contact (rate-limiter-flexible's own layout; keyPrefix keeps policies apart).
const TABLE = 'temporal_http_rate_limits';
// A request never waits long on its counter: past these the replica counts alone (fail-open, see below).
const CONNECT_TIMEOUT_MS = 1_000;
const QUERY_TIMEOUT_MS = 1_000;
const TABLE_RETRY_MS = 5_000;

/** Makes the limiter of one policy (`points` per `durationS` per key). */
export type LimiterFactory = (policy: string, points: number, durationS: number) => RateLimiterAbstract;

/** Counters in this process's memory: one replica's view (the default). */
export const memoryLimiters: LimiterFactory = (policy, points, duration) =>
  new RateLimiterMemory({ keyPrefix: policy, points, duration });

/**
 * Counters in PostgreSQL, shared by every replica that points at the same database, so a caller gets its limit once
 * however many replicas serve it. Fail-open by design: while the database is unreachable (or slow: 1 s bounds every
 * call), rate-limiter-flexible's insurance limiter counts in this replica's memory, so callers keep being answered
 * and are still limited, N replicas at most allowing N times the limit; never a 500 and never a refusal because of
 * the store. Failing closed would turn a limiter outage into an outage of the whole API.
 */
export function postgresLimiters(url: string, onError: (error: Error) => void): LimiterFactory {
  const pool = new Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    allowExitOnIdle: true,
  });
  // An idle connection dropped by the server (a restart) is reported here; unhandled, it would end the process.
  pool.on('error', onError);
  const ensureTable = (): void => {
    pool
      .query(
        `CREATE TABLE IF NOT EXISTS "${TABLE}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
      )
      .catch((error: Error) => {
        onError(error);
        setTimeout(ensureTable, TABLE_RETRY_MS).unref();
      });
  };
  ensureTable();
  return (policy, points, duration) =>
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: TABLE,
      // ensureTable() creates it (and retries until the database answers); the limiter must not try once and give up.
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: policy,
      points,
      duration,
      insuranceLimiter: memoryLimiters(policy, points, duration),
    });
}
