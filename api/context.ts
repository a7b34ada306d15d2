import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { Caller } from './auth/caller';
import type { SecurityServices } from './auth/security-services';
import { errorHeaders, errorStatus } from './errors/wire';
import type { ApiMetrics } from './metrics';
import { routeRecordOf, type RouteRecord } from './http/route-label';
import { requestIdOf } from './request-id';

/** What the API needs from its process: one long-lived Temporal client, the config, the logger and its metrics. */
export interface ApiDeps {
  client: Client;
  config: Config;
  logger: Logger;
  /** Aborted when SIGTERM starts the drain: bounded waits answer at once and progress streams end (api/http/draining.ts). */
  draining: AbortSignal;
  /** The process's metrics (with its Temporal client's); createApp makes request-only ones when none are given. */
  metrics?: ApiMetrics;
  /** Whether tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT): each request then gets a server span. */
  tracing?: boolean;
}

/** What a procedure may ask the transport to do with a successful answer (202, Location). */
export interface ResponseHints {
  status?: number;
  headers?: Record<string, string>;
}

export interface Context extends ApiDeps {
  metrics: ApiMetrics;
  /** The request's logger: the process's, bound to this request id. */
  logger: Logger;
  requestId: string;
  /** Which procedure served the request, for the access log and metrics. */
  route: RouteRecord;
  /** The raw Idempotency-Key header, validated where it is used. */
  idempotencyKey: string | undefined;
  /** Aborted when the caller goes away, so bounded waits stop holding a Temporal long-poll. */
  signal: AbortSignal;
  /** Set with Object.assign: middlewares hand resolvers a copy of the context, not this object. */
  response: ResponseHints;
  /** Authentication, rate limits and backpressure, built once by createApp. */
  security: SecurityServices;
  /** The caller behind this request's credentials, resolved once (the protected procedures await it). */
  authenticate: () => Promise<Caller>;
  /** The peer address: what anonymous callers are rate-limited by. */
  clientIp: string;
  /** Headers every answer carries whatever the procedure sets (the RateLimit headers). */
  responseHeaders: Record<string, string>;
}

/** The context of a procedure behind the protected middleware: the caller is known. */
export interface AuthedContext extends Context {
  caller: Caller;
}

/** Builds the per-request context both transports (tRPC and REST) use. */
export function createContextFactory(deps: ApiDeps & { metrics: ApiMetrics }, security: SecurityServices) {
  return ({ req, res }: { req: IncomingMessage; res: ServerResponse }): Context => {
    let caller: Promise<Caller> | undefined;
    const aborter = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) aborter.abort();
    });
    const idempotencyKey = req.headers['idempotency-key'];
    const requestId = requestIdOf(req, res);
    // The access log made the request's child logger (req.log); outside it (a bare test app) bind one here.
    const requestLogger = (req as { log?: Logger }).log ?? deps.logger.child({ requestId });
    return {
      ...deps,
      logger: requestLogger,
      requestId,
      route: routeRecordOf(req),
      idempotencyKey: Array.isArray(idempotencyKey) ? idempotencyKey[0] : idempotencyKey,
      signal: aborter.signal,
      response: {},
      security,
      authenticate: () => (caller ??= security.authenticator.authenticate(req.headers)),
      clientIp: req.socket.remoteAddress ?? 'unknown',
      responseHeaders: {},
    };
  };
}

/** Tells the transport what status and headers a procedure asked for; used as responseMeta by both adapters. */
export function responseMetaFromContext({ ctx, errors }: { ctx?: Context; errors: readonly unknown[] }): ResponseHints {
  const always = ctx?.responseHeaders ?? {};
  const status = errorStatus(errors);
  if (!ctx || errors.length > 0)
    return { ...(status === undefined ? {} : { status }), headers: { ...always, ...errorHeaders(errors) } };
  return { ...ctx.response, headers: { ...always, ...ctx.response.headers } };
}
