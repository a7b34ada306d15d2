import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../../common/logger';
import { requestIdOf } from '../request-id';
import { secondsSince, type ApiMetrics } from '../metrics';
import { callerOf, routeLabelOf } from './route-label';

// Probes and scrapes arrive every few seconds from every orchestrator and Prometheus: logged only at debug.
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** An action link's token is a credential: the log keeps where it was used, not the token (REST path, tRPC input). */
export function withoutLinkToken(url: string | undefined): string | undefined {
  return url
    ?.replace(/^\/api\/links\/[^/?#]+/, '/api/links/[token]')
    .replace(/^(\/trpc\/links\.(?:describe|use))\?.*$/, '$1?[token]');
}

/** The route template and, once authenticated, the caller: what an access line says about who asked for what. */
function who(req: Request): { route: string; caller?: string } {
  const caller = callerOf(req);
  return caller === undefined ? { route: routeLabelOf(req) } : { route: routeLabelOf(req), caller };
}

/**
 * The access log (pino-http): one line per request with its request id, route template, status and duration.
 * Sets `req.log`, the request's child logger (bound to its request id), which the request context hands on.
 */
export function accessLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdOf(req, res),
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      return QUIET_PATHS.has(req.url?.split('?')[0] ?? '') ? 'debug' : 'info';
    },
    customSuccessObject: (req, res, fields) => ({ ...fields, ...who(req as Request) }),
    customErrorObject: (req, res, _error, fields) => ({ ...fields, ...who(req as Request) }),
    customSuccessMessage: (req, res) => `${req.method} ${routeLabelOf(req as Request)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${routeLabelOf(req as Request)} ${res.statusCode}`,
    serializers: {
      req: (req: { method?: string; url?: string; headers?: Record<string, unknown>; remoteAddress?: string }) => ({
        method: req.method,
        url: withoutLinkToken(req.url),
        headers: req.headers,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/** Observes every request's duration by method, route template and status once its answer is sent (or abandoned). */
export function requestMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const startedAt = process.hrtime.bigint();
    let observed = false;
    const observe = (): void => {
      if (observed) return;
      observed = true;
      metrics.httpRequestDuration.observe(
        { method: req.method, route: routeLabelOf(req), status_code: String(res.statusCode) },
        secondsSince(startedAt),
      );
    };
    res.once('finish', observe);
    res.once('close', observe);
    next();
  };
}
