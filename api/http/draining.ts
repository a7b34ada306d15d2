import type { RequestHandler } from 'express';
import { errorBody, RETRY_AFTER_SECONDS } from '../errors/mapping';

/**
 * Once the drain has started (SIGTERM), every new request is answered 503 with Retry-After and the connection is
 * closed, so the caller retries on another replica; /healthz and /readyz are mounted before this and still answer.
 */
export function drainingGate(draining: AbortSignal): RequestHandler {
  return (_req, res, next) => {
    if (!draining.aborted) return next();
    res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
    res.setHeader('connection', 'close');
    res
      .status(503)
      .json(
        errorBody(res, 'SERVICE_UNAVAILABLE', 'This API instance is shutting down; retry, another one will answer'),
      );
  };
}
