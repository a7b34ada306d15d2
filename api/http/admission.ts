import type { RequestHandler } from 'express';
import { refusal, sendError } from '../errors/wire';

/**
 * A bound on the requests one API process works on at once. Beyond it a request is answered 503 with Retry-After at
 * once, before anything is asked of Temporal, so overload turns into prompt refusals a caller can act on instead of
 * a queue that grows until callers give up (and their starts run unseen). Progress streams are not counted: they
 * share one watcher per workflow and cost Temporal nothing per subscriber.
 */
export function admissionControl(maxInFlight: number): RequestHandler {
  let inFlight = 0;
  return (req, res, next) => {
    if (req.headers.accept === 'text/event-stream') return next();
    // The caller has gone while the request waited for its turn: start nothing for nobody.
    if (req.socket.destroyed) return;
    if (inFlight >= maxInFlight) {
      sendError(
        res,
        refusal('SERVICE_UNAVAILABLE', `Overloaded: ${maxInFlight} requests in progress; retry after a second`),
      );
      return;
    }
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
    });
    next();
  };
}
