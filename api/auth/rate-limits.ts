import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../common/config';
import type { Caller } from './caller';
import type { AuthedContext } from '../context';
import { ApiError } from '../errors/mapping';
import { memoryLimiters, postgresLimiters, type LimiterFactory } from './rate-limit-store';

const WINDOW_S = 60;
const STREAM_RETRY_AFTER_S = 5;

/**
 * Per-caller limits: requests per minute, waiting requests per minute (a wait holds a Temporal long-poll), and
 * open progress streams. The per-minute counters are in memory (each replica counts alone) or, with
 * RATE_LIMIT_POSTGRES_URL, in PostgreSQL shared by all replicas; open streams are always counted per replica.
 */
export interface RateLimits {
  /** Counts one request; sets the RateLimit headers on `headers`; a 429 when the caller is over its limit. */
  request(key: string, headers: Record<string, string>): Promise<void>;
  /** Counts one bounded wait (execute, result, update waits) against the lower limit for them. */
  wait(key: string, headers: Record<string, string>): Promise<void>;
  /** Holds one of the caller's progress-stream slots; call the returned function when the stream ends. */
  openStream(key: string): () => void;
  /** A 429 while the client address is over its failed-authentication limit. */
  refuseFailingClient(clientIp: string): Promise<void>;
  /** Counts a failed authentication from the address; a 429 instead of the 401 once it is over the limit. */
  authFailed(clientIp: string, headers: Record<string, string>): Promise<void>;
}

/** What limits are counted by: the key's name or the token's subject; the peer address when anonymous. */
export function rateLimitKey(caller: Caller, clientIp: string): string {
  return caller.kind === 'anonymous' ? `ip:${clientIp}` : `${caller.kind}:${caller.name}`;
}

function tooMany(message: string, retryAfterS: number, headers: Record<string, string> = {}): ApiError {
  return new ApiError({
    code: 'TOO_MANY_REQUESTS',
    message,
    details: { retryAfterSeconds: retryAfterS },
    headers: { ...headers, 'retry-after': String(retryAfterS) },
  });
}

function counted(limiters: LimiterFactory, policy: string, limit: number) {
  const limiter = limiters(policy, limit, WINDOW_S);
  // IETF draft-ietf-httpapi-ratelimit-headers (draft 8 and later): the policy, then what is left of it.
  const policyHeader = `"${policy}";q=${limit};w=${WINDOW_S}`;
  const stateHeader = (res: RateLimiterRes): string =>
    `"${policy}";r=${Math.max(0, res.remainingPoints)};t=${Math.ceil(res.msBeforeNext / 1000)}`;
  return async (key: string, headers: Record<string, string>): Promise<void> => {
    try {
      const res = await limiter.consume(key);
      headers['ratelimit-policy'] = policyHeader;
      headers.ratelimit = stateHeader(res);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw tooMany(
        `Rate limit exceeded (${limit} ${policy} per ${WINDOW_S} s); retry after ${retryAfter} s`,
        retryAfter,
        {
          'ratelimit-policy': policyHeader,
          ratelimit: stateHeader(rejection),
        },
      );
    }
  };
}

/** Failed authentications by client address: counted by authFailed, checked before each authentication. */
function authFailures(limit: number) {
  const limiter = new RateLimiterMemory({ points: limit, duration: WINDOW_S });
  const refuse = (res: RateLimiterRes): ApiError => {
    const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return tooMany(`Too many failed authentications from this address; retry after ${retryAfter} s`, retryAfter);
  };
  return {
    async refuseFailingClient(clientIp: string): Promise<void> {
      const res = await limiter.get(clientIp);
      if (res && res.consumedPoints > limit) throw refuse(res);
    },
    async authFailed(clientIp: string): Promise<void> {
      try {
        await limiter.consume(clientIp);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        throw refuse(rejection);
      }
    },
  };
}

export function createRateLimits(
  config: Pick<
    Config,
    | 'RATE_LIMIT_PER_MINUTE'
    | 'RATE_LIMIT_WAITS_PER_MINUTE'
    | 'RATE_LIMIT_STREAMS_PER_CALLER'
    | 'RATE_LIMIT_POSTGRES_URL'
    | 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE'
  >,
  onStoreError: (error: Error) => void = () => undefined,
): RateLimits {
  const limiters =
    config.RATE_LIMIT_POSTGRES_URL === undefined
      ? memoryLimiters
      : postgresLimiters(config.RATE_LIMIT_POSTGRES_URL, onStoreError);
  const open = new Map<string, number>();
  return {
    ...authFailures(config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE),
    request: counted(limiters, 'requests', config.RATE_LIMIT_PER_MINUTE),
    wait: counted(limiters, 'waits', config.RATE_LIMIT_WAITS_PER_MINUTE),
    openStream(key) {
      const held = open.get(key) ?? 0;
      if (held >= config.RATE_LIMIT_STREAMS_PER_CALLER) {
        throw tooMany(
          `Too many open progress streams (${config.RATE_LIMIT_STREAMS_PER_CALLER} per caller); close one first`,
          STREAM_RETRY_AFTER_S,
        );
      }
      open.set(key, held + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const now = (open.get(key) ?? 1) - 1;
        if (now <= 0) open.delete(key);
        else open.set(key, now);
      };
    },
  };
}

type LimitedCtx = Pick<AuthedContext, 'security' | 'caller' | 'clientIp' | 'responseHeaders'>;

/** Counts a request that will wait (waitMs > 0) against the caller's lower limit for waits. */
export async function chargeWait(ctx: LimitedCtx, waitMs: number): Promise<void> {
  if (waitMs > 0) await ctx.security.limits.wait(rateLimitKey(ctx.caller, ctx.clientIp), ctx.responseHeaders);
}

/** Holds one of the caller's progress-stream slots (429 when all are taken); returns its release. */
export function openStream(ctx: LimitedCtx): () => void {
  return ctx.security.limits.openStream(rateLimitKey(ctx.caller, ctx.clientIp));
}
