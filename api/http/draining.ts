import type { RequestHandler } from 'express';
import { refusal, sendError } from '../errors/wire';

/**
 * Once the drain has started (SIGTERM), every new request is answered 503 with Retry-After and the connection is
 * closed, so the caller retries on another replica; /healthz and /readyz are mounted before this and still answer.
 */
export function drainingGate(draining: AbortSignal): RequestHandler {
  return (_req, res, next) => {
    if (!draining.aborted) return next();
    sendError(
      res,
      refusal('SERVICE_UNAVAILABLE', 'This API instance is shutting down; retry, another one will answer'),
      { headers: { connection: 'close' } },
    );
  };
}
