import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

// A leaf: the request id is read by the access log, the context and the error writer, so this file imports nothing
// of the API's.

/** The HTTP header that carries a request's id, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Returns the request id the caller sent, or a new one; it is echoed back and written to every log line. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const assigned = res.getHeader(REQUEST_ID_HEADER);
  if (typeof assigned === 'string') return assigned;
  const sent = req.headers[REQUEST_ID_HEADER];
  const id = typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
  if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
