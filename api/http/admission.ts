import type { Request, RequestHandler } from 'express';
import { refusal, sendError } from '../errors/wire';

/**
 * A bound on the requests one API process works on at once. Beyond it a request is answered 503 with Retry-After at
 * once, before anything is asked of Temporal, so overload turns into prompt refusals a caller can act on instead of
 * a queue that grows until callers give up (and their starts run unseen). Progress streams (`isStream`, decided by
 * the route, never by a header) are not counted: they share one watcher per workflow and cost Temporal nothing per
 * subscriber, and their own cap bounds them.
 */
export function admissionControl(maxInFlight: number, isStream: (req: Request) => boolean): RequestHandler {
  let inFlight = 0;
  return (req, res, next) => {
    if (isStream(req)) return next();
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
